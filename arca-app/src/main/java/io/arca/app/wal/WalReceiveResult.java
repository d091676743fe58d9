package io.arca.app.wal;

import io.arca.app.job.RunResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a WAL stream ended.
 *
 * @param systemIdentifier the cluster's system identifier (unsigned)
 * @param timeline the server's timeline when streaming began
 * @param start where streaming began
 * @param reached the end of the WAL archived, complete segments and the final partial one
 * @param files the files archived (segments, partial segments, timeline history files)
 * @param ended why it ended: {@code interrupted} (the thread running it), or what the caller
 *     gave {@link WalReceiveService.Streaming#stop} ({@code SIGTERM}, say)
 */
public record WalReceiveResult(String systemIdentifier, long timeline, String start, String reached, long files,
        String ended) implements RunResult {
    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("systemIdentifier", systemIdentifier);
        d.put("timeline", Long.toString(timeline));
        d.put("start", start);
        d.put("reached", reached);
        d.put("files", Long.toString(files));
        d.put("ended", ended);
        return d;
    }
}

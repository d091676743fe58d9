package io.arca.server;

import io.arca.app.config.ArcaConfig;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run records of each subject's repositories, for the notifier's "how did the run before end"
 * (a recovery after a failure). Each store is opened at its first use and kept open until close.
 * Thread-safe.
 */
final class RunLogs implements AutoCloseable {
    private final ArcaConfig config;
    private final Clock clock;
    private final Map<String, Storage> open = new HashMap<>();
    private boolean closed;

    RunLogs(ArcaConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** The run logs of {@code subject}'s repositories; of every repository for {@code *}. */
    synchronized List<RunLog> forSubject(String subject) {
        if (closed) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        if (RunRecord.ALL_SUBJECTS.equals(subject) && config.repositories() != null) {
            names.addAll(config.repositories().keySet());
        } else if (config.subjects() != null && config.subjects().get(subject) != null
                && config.subjects().get(subject).repositories() != null) {
            names.addAll(config.subjects().get(subject).repositories());
        }
        List<RunLog> logs = new ArrayList<>();
        for (String name : names) {
            ArcaConfig.RepositoryEntry repo = config.repositories() == null ? null : config.repositories().get(name);
            if (repo != null && repo.url() != null) {
                Storage storage = open.computeIfAbsent(repo.url(), url -> Storages.open(StorageUrl.parse(url)));
                logs.add(new RunLog(storage, clock));
            }
        }
        return logs;
    }

    @Override
    public synchronized void close() {
        closed = true;
        open.values().forEach(Storage::close);
        open.clear();
    }
}

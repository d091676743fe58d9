package io.arca.postgres.archive;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Records what a {@link CustomArchiveScanner} reports, with how many bytes had reached the
 * downstream stream at each call.
 */
final class RecordingListener implements CustomArchiveScanner.Listener {

    /** One call: {@code dumpId} 0 for {@code tocComplete}. */
    record Event(int dumpId, int blockType, long offset, long forwardedBefore) {
    }

    final List<Event> events = new ArrayList<>();
    private final ByteArrayOutputStream downstream;
    ArchiveToc toc;

    RecordingListener(ByteArrayOutputStream downstream) {
        this.downstream = downstream;
    }

    @Override
    public void tocComplete(ArchiveToc t, long tocLength) {
        this.toc = t;
        events.add(new Event(0, 0, tocLength, downstream.size()));
    }

    @Override
    public void blockStarting(int dumpId, int blockType, long offset) {
        events.add(new Event(dumpId, blockType, offset, downstream.size()));
    }
}

package io.arca.core.pipeline;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.StorageWriter;
import java.io.IOException;
import java.time.Instant;

/**
 * A storage writer that keeps nothing: counts bytes, and can fail after a given number of them.
 * For tests whose stored bytes would not fit in memory or that need a failing store.
 */
final class CountingWriter extends StorageWriter {
    private final long failAfter;
    private long size;
    private boolean committed;
    private boolean aborted;

    /** @param failAfter bytes accepted before writes throw an IOException, or -1 for never */
    CountingWriter(long failAfter) {
        this.failAfter = failAfter;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (committed || aborted) {
            throw new IllegalStateException("writer is done");
        }
        if (failAfter >= 0 && size + len > failAfter) {
            throw new IOException("disk full");
        }
        size += len;
    }

    @Override
    public ObjectInfo commit() {
        if (committed || aborted) {
            throw new IllegalStateException("writer is done");
        }
        committed = true;
        return new ObjectInfo("counted", size, Instant.EPOCH);
    }

    @Override
    public void close() {
        if (!committed) {
            aborted = true;
        }
    }

    long size() {
        return size;
    }

    boolean committed() {
        return committed;
    }

    boolean aborted() {
        return aborted;
    }
}

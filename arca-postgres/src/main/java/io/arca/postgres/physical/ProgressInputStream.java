package io.arca.postgres.physical;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/**
 * Counts the bytes read through it and reports the running total every MiB and at the end. Does
 * not close the stream it reads: its owner does.
 */
final class ProgressInputStream extends FilterInputStream {
    private static final long EVERY = 1 << 20;
    private final LongConsumer report;
    private long done;
    private long sinceReport;

    ProgressInputStream(InputStream in, LongConsumer report) {
        super(in);
        this.report = report;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        count(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        count(n);
        return n;
    }

    private void count(int n) {
        if (n < 0) {
            report.accept(done);
            return;
        }
        done += n;
        sinceReport += n;
        if (sinceReport >= EVERY) {
            sinceReport = 0;
            report.accept(done);
        }
    }

    @Override
    public void close() {
        // the owner closes the underlying stream
    }
}

package io.arca.core;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream whose work is in {@link #read(byte[], int, int)}; the single-byte read goes
 * through it (retrying zero-length reads), so each stream implements one read path only. Storage
 * providers' streams extend it too.
 */
public abstract class BulkInputStream extends InputStream {
    private final byte[] oneByte = new byte[1];

    @Override
    public final int read() throws IOException {
        int n;
        do {
            n = read(oneByte, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : oneByte[0] & 0xFF;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}

package io.arca.core.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * The encoded side of an artifact on its way from storage: counts the bytes, optionally digests
 * them, and marks read failures as the storage's (see {@link StorageReadException}) so that they are
 * never mistaken for corrupt data.
 */
final class StoredInput extends InputStream {
    private static final int DRAIN_BUFFER = 1 << 16;

    private final InputStream raw;
    private final MessageDigest sha256;
    private long size;

    /** @param sha256 digest to update with every byte read, or {@code null} */
    StoredInput(InputStream raw, MessageDigest sha256) {
        this.raw = raw;
        this.sha256 = sha256;
    }

    @Override
    public int read() throws IOException {
        int b;
        try {
            b = raw.read();
        } catch (IOException e) {
            throw new StorageReadException(e);
        }
        if (b >= 0) {
            size++;
            if (sha256 != null) {
                sha256.update((byte) b);
            }
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = raw.read(b, off, len);
        } catch (IOException e) {
            throw new StorageReadException(e);
        }
        if (n > 0) {
            size += n;
            if (sha256 != null) {
                sha256.update(b, off, n);
            }
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        try {
            return raw.available();
        } catch (IOException e) {
            throw new StorageReadException(e);
        }
    }

    /** Reads, counts and digests whatever the decoder left unread. */
    void drain() throws IOException {
        byte[] buffer = new byte[DRAIN_BUFFER];
        int n;
        do {
            n = read(buffer, 0, buffer.length);
        } while (n >= 0);
    }

    /** Stored bytes read so far. */
    long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    /** A read from storage failed: an I/O problem, not evidence of corruption. */
    static final class StorageReadException extends IOException {
        private static final long serialVersionUID = 1L;

        StorageReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        /** The storage failure somewhere in {@code e}'s causes, or {@code null}. */
        static IOException findIn(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StorageReadException s) {
                    return (IOException) s.getCause();
                }
            }
            return null;
        }
    }
}

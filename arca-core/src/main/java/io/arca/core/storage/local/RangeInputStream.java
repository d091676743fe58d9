package io.arca.core.storage.local;

import io.arca.core.BulkInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/** Reads {@code length} bytes from {@code position} of a file with positional reads. */
final class RangeInputStream extends BulkInputStream {
    private final LocalFileStorage storage;
    private final String key;
    private final FileChannel channel;
    private long position;
    private long remaining;
    private boolean closed;

    RangeInputStream(LocalFileStorage storage, String key, FileChannel channel, long position, long length) {
        this.storage = storage;
        this.key = key;
        this.channel = channel;
        this.position = position;
        this.remaining = length;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen();
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        int n;
        try {
            n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remaining)), position);
        } catch (IOException e) {
            throw storage.failure("read", key, null, e);
        }
        if (n < 0) {
            // committed files never shrink unless something outside Arca truncates them; callers
            // check sizes and digests, so end the stream as a plain file stream would
            remaining = 0;
            return -1;
        }
        position += n;
        remaining -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        checkOpen();
        long skipped = Math.max(0, Math.min(n, remaining));
        position += skipped;
        remaining -= skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        checkOpen();
        return (int) Math.min(remaining, Integer.MAX_VALUE);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("stream of '" + key + "' is closed");
        }
    }
}

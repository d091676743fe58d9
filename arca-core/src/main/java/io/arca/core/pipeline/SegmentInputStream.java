package io.arca.core.pipeline;

import io.arca.core.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Exactly {@code length} plain bytes from a seek point; fewer means the artifact is corrupt. After
 * the last byte it asks the decoder for one more, so that a segment which fills its frame is
 * checked against the frame's checksum (gzip and lz4 check only at the end of a frame).
 */
final class SegmentInputStream extends BulkInputStream {
    private final String key;
    private final SeekPoint from;
    private final long length;
    private final InputStream plain;
    private long remaining;

    SegmentInputStream(String key, SeekPoint from, long length, InputStream plain) {
        this.key = key;
        this.from = from;
        this.length = length;
        this.remaining = length;
        this.plain = plain;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = plain.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw DecodingInputStream.corrupt(key, "seek point '" + from.label() + "' is followed by "
                    + (length - remaining) + " bytes, not " + length, null);
        }
        remaining -= n;
        if (remaining == 0) {
            plain.read();
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        plain.close();
    }
}

package io.arca.core.crypto;

import io.arca.core.BulkInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where the body of one OpenPGP packet lies, for reading it from the middle: either one definite
 * length (the body starts at {@code start}), or partial body lengths whose chunks all hold
 * {@code chunk} bytes but the last (each chunk's one-byte header at {@code start + k * (chunk + 1)},
 * the last chunk's header 1, 2 or 5 bytes). Positions count in whatever stream holds the packet.
 */
record PacketBody(long start, long chunk, boolean partial) {

    /** Where to start reading to reach body byte {@code offset}: its chunk's header, or the byte itself. */
    long readFrom(long offset) {
        return partial ? start + offset / chunk * (chunk + 1) : start + offset;
    }

    /**
     * The body from byte {@code offset} to its end, given {@code in} positioned at
     * {@link #readFrom(long) readFrom(offset)}.
     */
    InputStream open(InputStream in, long offset) throws IOException {
        if (!partial) {
            return new Chunks(in, chunk - offset, false, chunk);
        }
        Chunks body = new Chunks(in, 0, true, chunk);
        body.skipExactly(offset % chunk);
        return body;
    }

    /**
     * Parses a packet header at {@code buf[pos]}: returns {tag, header length, body length or
     * partial chunk size, 1 when partial}, or null when {@code buf} ends inside the header.
     */
    static long[] header(byte[] buf, int pos, int end) {
        if (pos >= end) {
            return null;
        }
        int b = buf[pos] & 0xFF;
        if ((b & 0x80) == 0) {
            throw new IllegalArgumentException("not an OpenPGP packet header: 0x" + Integer.toHexString(b));
        }
        if ((b & 0x40) != 0) {
            long[] len = newLength(buf, pos + 1, end);
            return len == null ? null : new long[] {b & 0x3F, 1 + len[0], len[1], len[2]};
        }
        int tag = (b >> 2) & 0x0F;
        int type = b & 3;
        int n = type == 0 ? 1 : type == 1 ? 2 : type == 2 ? 4 : 0;
        if (type == 3) {
            throw new IllegalArgumentException("OpenPGP packet of indeterminate length");
        }
        if (pos + 1 + n > end) {
            return null;
        }
        long length = 0;
        for (int i = 0; i < n; i++) {
            length = (length << 8) | (buf[pos + 1 + i] & 0xFF);
        }
        return new long[] {tag, 1 + n, length, 0};
    }

    /** A new-format length at {@code buf[pos]}: {header bytes, length or chunk size, 1 when partial}. */
    static long[] newLength(byte[] buf, int pos, int end) {
        if (pos >= end) {
            return null;
        }
        int l1 = buf[pos] & 0xFF;
        if (l1 < 192) {
            return new long[] {1, l1, 0};
        }
        if (l1 < 224) {
            return pos + 1 < end ? new long[] {2, ((long) (l1 - 192) << 8) + (buf[pos + 1] & 0xFF) + 192, 0} : null;
        }
        if (l1 < 255) {
            return new long[] {1, 1L << (l1 & 0x1F), 1};
        }
        if (pos + 4 >= end) {
            return null;
        }
        long len = 0;
        for (int i = 1; i <= 4; i++) {
            len = (len << 8) | (buf[pos + i] & 0xFF);
        }
        return new long[] {5, len, 0};
    }

    /** The body bytes of a packet, read chunk by chunk. */
    private static final class Chunks extends BulkInputStream {
        private final InputStream in;
        private final long chunk;
        private long left;
        private boolean more;
        private final byte[] header = new byte[5];

        Chunks(InputStream in, long left, boolean more, long chunk) {
            this.in = in;
            this.left = left;
            this.more = more;
            this.chunk = chunk;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (left == 0) {
                if (!more) {
                    return -1;
                }
                nextChunk();
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the OpenPGP packet ends early");
            }
            left -= n;
            return n;
        }

        private void nextChunk() throws IOException {
            readFully(header, 0, 1);
            int l1 = header[0] & 0xFF;
            int n = l1 < 192 ? 1 : l1 < 224 ? 2 : l1 < 255 ? 1 : 5;
            readFully(header, 1, n - 1);
            long[] len = newLength(header, 0, n);
            if (len[2] == 1 && len[1] != chunk) {
                throw new IOException("OpenPGP partial body chunk of " + len[1] + " bytes where " + chunk
                        + " were expected: the message cannot be read from the middle");
            }
            left = len[1];
            more = len[2] == 1;
        }

        void skipExactly(long n) throws IOException {
            byte[] buf = new byte[8192];
            while (n > 0) {
                int r = read(buf, 0, (int) Math.min(buf.length, n));
                if (r < 0) {
                    throw new EOFException("the OpenPGP packet ends early");
                }
                n -= r;
            }
        }

        private void readFully(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int r = in.read(b, off, len);
                if (r < 0) {
                    throw new EOFException("the OpenPGP packet ends early");
                }
                off += r;
                len -= r;
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

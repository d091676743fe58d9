package io.arca.core.pipeline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decodes concatenated gzip members (RFC 1952) as one stream and checks each member's CRC-32 and
 * size. {@link java.util.zip.GZIPInputStream} is not used: it decides whether another member follows
 * from {@code available()}, which network streams may report as 0, and it ignores trailing garbage.
 * Here anything after a member must be another member. Empty input decodes to nothing (a seek point
 * may sit at the very end of an artifact).
 */
final class GzipMembersInputStream extends InputStream {
    private static final int BUFFER = 1 << 18;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED_FLAGS = 0xE0;

    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER];
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] oneByte = new byte[1];
    private int position;
    private int limit;
    private boolean inMember;
    private long memberSize;
    private boolean atEnd;
    private boolean closed;

    GzipMembersInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        int n = read(oneByte, 0, 1);
        return n < 0 ? -1 : oneByte[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (!atEnd) {
            if (!inMember && !startMember()) {
                atEnd = true;
                break;
            }
            int n = inflate(b, off, len);
            if (n > 0) {
                crc.update(b, off, n);
                memberSize += n;
                return n;
            }
            if (inflater.finished()) {
                endMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("gzip member needs a preset dictionary");
            } else if (inflater.needsInput() && !fill()) {
                throw new EOFException("gzip member is truncated");
            }
        }
        return -1;
    }

    private int inflate(byte[] b, int off, int len) throws ZipException {
        inflater.setInput(buffer, position, limit - position);
        try {
            return inflater.inflate(b, off, len);
        } catch (DataFormatException e) {
            throw new ZipException("invalid deflate data: " + e.getMessage());
        } finally {
            position = limit - inflater.getRemaining();
        }
    }

    /** Reads a member header; false at a clean end of input. */
    private boolean startMember() throws IOException {
        int first = readByte();
        if (first < 0) {
            return false;
        }
        if (first != 0x1f || requireByte() != 0x8b) {
            throw new ZipException("not in gzip format");
        }
        int method = requireByte();
        if (method != 8) {
            throw new ZipException("unsupported gzip compression method " + method);
        }
        int flags = requireByte();
        if ((flags & RESERVED_FLAGS) != 0) {
            throw new ZipException("reserved gzip header flags are set");
        }
        skip(6); // mtime, extra flags, OS
        if ((flags & FEXTRA) != 0) {
            skip(requireByte() | requireByte() << 8);
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FHCRC) != 0) {
            // the header CRC guards only the header; CRC-32 and SHA-256 cover the data
            skip(2);
        }
        inflater.reset();
        crc.reset();
        memberSize = 0;
        inMember = true;
        return true;
    }

    private void endMember() throws IOException {
        long expectedCrc = readIntLe();
        long expectedSize = readIntLe();
        if (expectedCrc != crc.getValue()) {
            throw new ZipException("gzip member CRC-32 does not match its data");
        }
        if (expectedSize != (memberSize & 0xFFFF_FFFFL)) {
            throw new ZipException("gzip member size does not match its data");
        }
        inMember = false;
    }

    private long readIntLe() throws IOException {
        return (requireByte() | requireByte() << 8 | requireByte() << 16 | (long) requireByte() << 24);
    }

    private void skip(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            requireByte();
        }
    }

    private void skipZeroTerminated() throws IOException {
        int b;
        do {
            b = requireByte();
        } while (b != 0);
    }

    private int requireByte() throws IOException {
        int b = readByte();
        if (b < 0) {
            throw new EOFException("gzip member is truncated");
        }
        return b;
    }

    private int readByte() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++] & 0xFF;
    }

    /** Replaces the (fully consumed) buffer with the next input; false at end of input. */
    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        position = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            inflater.end();
            in.close();
        }
    }
}

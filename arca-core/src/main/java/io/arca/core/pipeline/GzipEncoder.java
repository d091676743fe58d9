package io.arca.core.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip members (RFC 1952), as {@code gzip} writes them; each frame is one member, and
 * {@code gzip -d} reads concatenated members as one stream. Written by hand rather than with
 * {@link java.util.zip.GZIPOutputStream} so that a member starts only when it has data and one
 * {@link Deflater} serves every member.
 */
final class GzipEncoder implements Encoder {
    private static final int BUFFER = 1 << 18;
    // magic, CM=deflate, no flags, no mtime, no extra flags, OS=unknown
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    // Buffered so that small writes do not each cost a JNI call into zlib.
    private final byte[] input = new byte[BUFFER];
    private final byte[] output = new byte[BUFFER];
    private final OutputStream sink;
    private int buffered;
    private boolean memberStarted;
    private boolean anyMemberWritten;
    private long memberSize;
    private boolean closed;

    GzipEncoder(int level, OutputStream sink) {
        this.deflater = new Deflater(level, true);
        this.sink = sink;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, BUFFER - buffered);
            System.arraycopy(b, off, input, buffered, n);
            buffered += n;
            off += n;
            len -= n;
            if (buffered == BUFFER) {
                deflateBuffered();
            }
        }
    }

    @Override
    public void endFrame() throws IOException {
        if (buffered > 0 || memberStarted) {
            endMember();
        }
    }

    @Override
    public void finish() throws IOException {
        if (buffered > 0 || memberStarted || !anyMemberWritten) {
            endMember();
        }
    }

    private void deflateBuffered() throws IOException {
        if (!memberStarted) {
            sink.write(HEADER);
            memberStarted = true;
        }
        crc.update(input, 0, buffered);
        memberSize += buffered;
        deflater.setInput(input, 0, buffered);
        while (!deflater.needsInput()) {
            writeDeflated();
        }
        buffered = 0;
    }

    private void endMember() throws IOException {
        deflateBuffered();
        deflater.finish();
        while (!deflater.finished()) {
            writeDeflated();
        }
        int checksum = (int) crc.getValue();
        int size = (int) memberSize; // ISIZE is the size modulo 2^32
        byte[] trailer = {
            (byte) checksum, (byte) (checksum >>> 8), (byte) (checksum >>> 16), (byte) (checksum >>> 24),
            (byte) size, (byte) (size >>> 8), (byte) (size >>> 16), (byte) (size >>> 24)};
        sink.write(trailer);
        deflater.reset();
        crc.reset();
        memberSize = 0;
        memberStarted = false;
        anyMemberWritten = true;
    }

    private void writeDeflated() throws IOException {
        int n = deflater.deflate(output, 0, output.length, Deflater.NO_FLUSH);
        if (n > 0) {
            sink.write(output, 0, n);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            deflater.end();
        }
    }
}

package io.arca.core.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * LZ4 frames (the format {@code lz4} writes): independent 1 MiB blocks and a content checksum.
 * Written here rather than with {@code LZ4FrameOutputStream}, which is one frame per instance and
 * allocates its block buffers each time: a dump with thousands of seek points would churn them.
 */
final class Lz4FrameEncoder implements Encoder {
    private static final int MAGIC = 0x184D2204;
    private static final int BLOCK_SIZE = 1 << 20;
    // FLG: version 01, block independence, content checksum
    private static final int FLG = 0b0110_0100;
    // BD: block maximum size 1 MiB
    private static final int BD = 6 << 4;
    private static final int UNCOMPRESSED_BLOCK = 0x8000_0000;

    private final LZ4Compressor compressor;
    private final StreamingXXHash32 contentChecksum;
    private final byte[] header;
    private final byte[] block = new byte[BLOCK_SIZE];
    private final byte[] encoded;
    private final OutputStream sink;
    private int buffered;
    private boolean frameStarted;
    private boolean anyFrameWritten;
    private boolean closed;

    Lz4FrameEncoder(int level, OutputStream sink) {
        LZ4Factory factory = LZ4Factory.fastestInstance();
        this.compressor = level <= 1 ? factory.fastCompressor() : factory.highCompressor(level);
        XXHashFactory hashes = XXHashFactory.fastestInstance();
        this.contentChecksum = hashes.newStreamingHash32(0);
        this.encoded = new byte[4 + compressor.maxCompressedLength(BLOCK_SIZE)];
        this.sink = sink;
        byte[] descriptor = {(byte) FLG, (byte) BD};
        int headerChecksum = (hashes.hash32().hash(descriptor, 0, descriptor.length, 0) >> 8) & 0xFF;
        this.header = new byte[7];
        putIntLe(header, 0, MAGIC);
        header[4] = (byte) FLG;
        header[5] = (byte) BD;
        header[6] = (byte) headerChecksum;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, BLOCK_SIZE - buffered);
            System.arraycopy(b, off, block, buffered, n);
            buffered += n;
            off += n;
            len -= n;
            if (buffered == BLOCK_SIZE) {
                writeBlock();
            }
        }
    }

    @Override
    public void endFrame() throws IOException {
        if (buffered > 0 || frameStarted) {
            endFrameNow();
        }
    }

    @Override
    public void finish() throws IOException {
        if (buffered > 0 || frameStarted || !anyFrameWritten) {
            endFrameNow();
        }
    }

    private void startFrameIfNeeded() throws IOException {
        if (!frameStarted) {
            sink.write(header);
            contentChecksum.reset();
            frameStarted = true;
        }
    }

    private void writeBlock() throws IOException {
        startFrameIfNeeded();
        if (buffered == 0) {
            return;
        }
        contentChecksum.update(block, 0, buffered);
        int compressed = compressor.compress(block, 0, buffered, encoded, 4, encoded.length - 4);
        if (compressed < buffered) {
            putIntLe(encoded, 0, compressed);
            sink.write(encoded, 0, 4 + compressed);
        } else {
            putIntLe(encoded, 0, buffered | UNCOMPRESSED_BLOCK);
            sink.write(encoded, 0, 4);
            sink.write(block, 0, buffered);
        }
        buffered = 0;
    }

    private void endFrameNow() throws IOException {
        writeBlock();
        byte[] end = new byte[8]; // end mark (0), then the content checksum
        putIntLe(end, 4, contentChecksum.getValue());
        sink.write(end);
        frameStarted = false;
        anyFrameWritten = true;
    }

    private static void putIntLe(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            contentChecksum.close();
        }
    }
}

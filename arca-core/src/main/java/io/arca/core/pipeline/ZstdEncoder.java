package io.arca.core.pipeline;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Zstandard frames with content checksums, as {@code zstd} writes them. With more than one worker
 * the library compresses on its own native threads (ZSTD_c_nbWorkers) while the caller keeps
 * hashing and copying; ending a frame waits for the workers, so boundaries stay exact.
 */
final class ZstdEncoder implements Encoder {
    // Large direct buffers: few JNI calls, no copies inside the binding.
    private static final int INPUT_BUFFER = 1 << 20;
    private static final int OUTPUT_BUFFER = 1 << 19;

    private final ZstdCompressCtx ctx = new ZstdCompressCtx();
    private final ByteBuffer input = ByteBuffer.allocateDirect(INPUT_BUFFER);
    private final ByteBuffer output = ByteBuffer.allocateDirect(OUTPUT_BUFFER);
    private final byte[] transfer = new byte[OUTPUT_BUFFER];
    private final OutputStream sink;
    private boolean frameHasData;
    private boolean anyFrameWritten;
    private boolean closed;

    ZstdEncoder(int level, int workers, OutputStream sink) {
        this.sink = sink;
        ctx.setLevel(level);
        ctx.setChecksum(true);
        if (workers > 1) {
            ctx.setWorkers(workers);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        frameHasData |= len > 0;
        while (len > 0) {
            int n = Math.min(len, input.remaining());
            input.put(b, off, n);
            off += n;
            len -= n;
            if (!input.hasRemaining()) {
                compress(EndDirective.CONTINUE);
            }
        }
    }

    @Override
    public void endFrame() throws IOException {
        if (frameHasData) {
            compress(EndDirective.END);
        }
    }

    @Override
    public void finish() throws IOException {
        if (frameHasData || !anyFrameWritten) {
            compress(EndDirective.END);
        }
    }

    /** Feeds the buffered input; with END, also ends the frame and flushes all of it. */
    private void compress(EndDirective directive) throws IOException {
        input.flip();
        boolean flushed;
        do {
            flushed = ctx.compressDirectByteBufferStream(output, input, directive);
            drainOutput();
        } while (input.hasRemaining() || (directive == EndDirective.END && !flushed));
        input.clear();
        if (directive == EndDirective.END) {
            frameHasData = false;
            anyFrameWritten = true;
        }
    }

    private void drainOutput() throws IOException {
        output.flip();
        int n = output.remaining();
        if (n > 0) {
            output.get(transfer, 0, n);
            sink.write(transfer, 0, n);
        }
        output.clear();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ctx.close();
        }
    }
}

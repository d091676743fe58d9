package io.arca.core.pipeline;

import com.github.luben.zstd.NoPool;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Zstandard frames with content checksums, as {@code zstd} writes them. With more than one worker
 * the library compresses on its own native threads (ZSTD_c_nbWorkers) while the caller keeps
 * hashing and copying; ending a frame waits for the workers, so boundaries stay exact.
 *
 * <p>Large writes go to the library straight from the caller's array (pinned for the call, no
 * copy on our side: the workers copy what they take into their own buffers anyway); small ones
 * are gathered first, so that the per-call cost of the multi-threaded compressor (a lock and a
 * JNI transition) is paid per {@value #STAGE} bytes at most.
 */
final class ZstdEncoder implements Encoder {
    /** Writes of at least this many bytes skip the staging buffer. */
    private static final int STAGE = 1 << 16;

    private final SinkGate gate;
    private final ZstdOutputStreamNoFinalizer zstd;
    private final byte[] stage = new byte[STAGE];
    private int staged;
    private boolean frameHasData;
    private boolean anyFrameWritten;
    private boolean closed;

    ZstdEncoder(int level, int workers, OutputStream sink) {
        this.gate = new SinkGate(sink);
        try {
            // NoPool: the output buffer lives as long as this encoder, nothing to share
            this.zstd = new ZstdOutputStreamNoFinalizer(gate, NoPool.INSTANCE);
            zstd.setLevel(level);
            zstd.setChecksum(true);
            if (workers > 1) {
                zstd.setWorkers(workers);
            }
            // flush() ends the frame: that is how endFrame() cuts frames
            zstd.setCloseFrameOnFlush(true);
        } catch (IOException e) {
            throw new IllegalArgumentException("zstd rejected level " + level + " with " + workers + " workers: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len <= 0) {
            return;
        }
        frameHasData = true;
        if (len >= STAGE) {
            drainStage();
            zstd.write(b, off, len);
            return;
        }
        if (staged + len > STAGE) {
            drainStage();
        }
        System.arraycopy(b, off, stage, staged, len);
        staged += len;
    }

    @Override
    public void endFrame() throws IOException {
        if (frameHasData) {
            endCurrentFrame();
        }
    }

    @Override
    public void finish() throws IOException {
        if (frameHasData || !anyFrameWritten) {
            endCurrentFrame();
        }
    }

    private void endCurrentFrame() throws IOException {
        drainStage();
        // starts the frame if nothing was written into it (an empty artifact still gets one frame)
        zstd.write(stage, 0, 0);
        zstd.flush();
        frameHasData = false;
        anyFrameWritten = true;
    }

    private void drainStage() throws IOException {
        if (staged > 0) {
            int n = staged;
            staged = 0;
            zstd.write(stage, 0, n);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // closing ends an open frame; an abandoned artifact must not get those bytes
        gate.shut = true;
        try {
            zstd.closeWithoutClosingParentStream();
        } catch (IOException e) {
            // the gate swallows every write; nothing else can fail here
        }
    }

    /** The sink, until the encoder is closed; flushes stay inside the encoder. */
    private static final class SinkGate extends OutputStream {
        private final OutputStream sink;
        boolean shut;

        SinkGate(OutputStream sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) throws IOException {
            if (!shut) {
                sink.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!shut) {
                sink.write(b, off, len);
            }
        }

        @Override
        public void flush() {
            // ending a frame is not a reason to push the storage writer
        }
    }
}

package io.arca.core.pipeline;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Turns plain bytes into one codec's standard container, written to a sink. Frames (gzip members)
 * can be ended on request; the container is a concatenation of frames, which every decoder here and
 * the codec's CLI tool read as one stream. Not thread-safe; one instance per artifact.
 */
interface Encoder extends AutoCloseable {

    void write(byte[] b, int off, int len) throws IOException;

    /**
     * Ends the current frame and writes all of it to the sink, so that decoding can start at the
     * sink's next byte. Does nothing when no byte was written since the last frame ended: the
     * current sink position already is a frame boundary.
     */
    void endFrame() throws IOException;

    /**
     * Ends the last frame. Writes one empty frame when nothing was written at all, so that even an
     * empty artifact is a valid container for the CLI tools.
     */
    void finish() throws IOException;

    /** Releases buffers and native memory. Idempotent; never throws. */
    @Override
    void close();

    static Encoder open(CodecSpec spec, OutputStream sink) {
        return switch (spec.codec()) {
            case ZSTD -> new ZstdEncoder(spec.level(), spec.workers(), sink);
            case GZIP -> new GzipEncoder(spec.level(), sink);
            case LZ4 -> new Lz4FrameEncoder(spec.level(), sink);
            case NONE -> new PassThroughEncoder(sink);
        };
    }
}

package io.arca.core.pipeline;

import io.arca.core.storage.StorageWriter;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes one artifact: plain bytes in, through SHA-256, the codec and SHA-256 of the encoded
 * bytes, into a {@link StorageWriter}. {@link #finish()} ends the codec and commits the object;
 * {@link #close()} without finish aborts and leaves nothing in storage.
 */
public final class ArtifactOutput extends OutputStream {

    /** Starts an artifact in {@code target}, encoded with {@code codec}. Takes ownership of target. */
    public static ArtifactOutput open(StorageWriter target, CodecSpec codec) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void write(int b) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Plain bytes written so far. */
    public long size() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Ends the current codec frame so that decoding can start at the next byte written, and returns
     * that position. Cheap enough to call once per table in a dump.
     */
    public SeekPoint markSeekPoint(String label) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Ends the codec, commits the object and returns its sizes and digests. */
    public ArtifactDigest finish() throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Aborts unless finished. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO");
    }
}

package io.arca.core.pipeline;

import io.arca.core.storage.StorageWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Writes one artifact: plain bytes in, through SHA-256, the codec and SHA-256 of the encoded
 * bytes, into a {@link StorageWriter}. {@link #finish()} ends the codec and commits the object;
 * {@link #close()} without finish aborts and leaves nothing in storage.
 *
 * <p>Everything runs on the caller's thread except zstd compression with more than one worker,
 * which runs on zstd's native threads while the caller hashes and stores. Memory is fixed whatever
 * the artifact size: about 2 MiB of buffers, plus zstd's native state (a few MiB on one thread,
 * about 25 MiB more per worker at level 3). {@link #flush()} does nothing: forcing the codec to
 * flush would cost ratio, and nothing is visible before {@link #finish()} anyway. Not thread-safe.
 */
public final class ArtifactOutput extends OutputStream {
    private final StorageWriter target;
    private final StoredOutput stored;
    private final Encoder encoder;
    private final MessageDigest plainSha256 = Sha256.newDigest();
    private final byte[] oneByte = new byte[1];
    private long size;
    private boolean failed;
    private boolean finished;
    private boolean closed;

    private ArtifactOutput(StorageWriter target, StoredOutput stored, Encoder encoder) {
        this.target = target;
        this.stored = stored;
        this.encoder = encoder;
    }

    /** Starts an artifact in {@code target}, encoded with {@code codec}. Takes ownership of target. */
    public static ArtifactOutput open(StorageWriter target, CodecSpec codec) {
        Objects.requireNonNull(target, "target");
        try {
            StoredOutput stored = new StoredOutput(target);
            return new ArtifactOutput(target, stored, Encoder.open(Objects.requireNonNull(codec, "codec"), stored));
        } catch (RuntimeException | Error e) {
            target.close();
            throw e;
        }
    }

    @Override
    public void write(int b) throws IOException {
        oneByte[0] = (byte) b;
        write(oneByte, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkWritable();
        try {
            plainSha256.update(b, off, len);
            encoder.write(b, off, len);
            size += len;
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** Plain bytes written so far. */
    public long size() {
        return size;
    }

    /**
     * Stored (encoded) bytes handed to the storage writer so far; behind {@link #size()} by what the
     * codec still buffers. For progress reporting.
     */
    public long storedSize() {
        return stored.size();
    }

    /**
     * Ends the current codec frame so that decoding can start at the next byte written, and returns
     * that position. Cheap enough to call once per table in a dump. Marking again before writing
     * more returns the same position without writing an empty frame.
     */
    public SeekPoint markSeekPoint(String label) throws IOException {
        Objects.requireNonNull(label, "label");
        checkWritable();
        try {
            encoder.endFrame();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        return new SeekPoint(label, size, stored.size());
    }

    /** Ends the codec, commits the object and returns its sizes and digests. */
    public ArtifactDigest finish() throws IOException {
        checkWritable();
        try {
            encoder.finish();
            encoder.close();
            target.commit();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        finished = true;
        return new ArtifactDigest(size, Sha256.hex(plainSha256), stored.size(), stored.sha256Hex());
    }

    /** Nothing to do; see the class comment. */
    @Override
    public void flush() {
    }

    /** Aborts unless finished. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            try {
                encoder.close();
            } finally {
                target.close();
            }
        }
    }

    private void checkWritable() {
        if (closed || finished) {
            throw new IllegalStateException("artifact output is " + (finished ? "finished" : "closed"));
        }
        if (failed) {
            throw new IllegalStateException("artifact output failed earlier; close it to abort");
        }
    }
}

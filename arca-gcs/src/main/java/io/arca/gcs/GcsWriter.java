package io.arca.gcs;

import com.google.cloud.BaseServiceException;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BlobWriteSession;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BlobWriteOption;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;

/**
 * A write to a {@link GcsStorage}: buffered up to the chunk size and created by one request at
 * commit, or, once larger, streamed as a resumable upload that commit finalises. See
 * {@link GcsStorage} for what an abort leaves behind.
 */
final class GcsWriter extends StorageWriter {
    private enum State { OPEN, COMMITTED, ABORTED }

    private static final int INITIAL_BUFFER = 64 * 1024;

    private final GcsStorage storage;
    private final String key;
    private final BlobInfo info;
    private final boolean ifAbsent;
    private final int chunkSize;
    private byte[] buffer;
    private int buffered;
    private BlobWriteSession session;
    private WritableByteChannel channel;
    private long written;
    /** Set when the service refused an if-absent upload before commit. */
    private StorageAlreadyExistsException taken;
    private State state = State.OPEN;

    GcsWriter(GcsStorage storage, String key, BlobInfo info, WriteOptions options, int chunkSize) {
        this.storage = storage;
        this.key = key;
        this.info = info;
        this.ifAbsent = options.mode() == WriteOptions.Mode.IF_ABSENT;
        this.chunkSize = chunkSize;
        long expected = options.expectedSize();
        // a known small size needs no growing; a known large one goes straight to a resumable upload
        this.buffer = expected > chunkSize ? null
                : new byte[expected >= 0 ? (int) expected : Math.min(INITIAL_BUFFER, chunkSize)];
    }

    @Override
    public void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen("write to");
        if (channel == null && buffer != null && taken == null && len <= chunkSize - buffered) {
            if (buffered + len > buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(chunkSize, Math.max(2L * buffer.length, buffered + len)));
            }
            System.arraycopy(b, off, buffer, buffered, len);
            buffered += len;
            written += len;
            return;
        }
        if (taken == null) {
            try {
                if (channel == null) {
                    startUpload();
                }
                writeFully(ByteBuffer.wrap(b, off, len));
            } catch (IOException | BaseServiceException e) {
                StorageException failure = storage.errors().translate("write", key, e, GcsErrors.Subject.BUCKET);
                if (!(failure instanceof StorageAlreadyExistsException alreadyExists)) {
                    throw failure;
                }
                // the contract fails if-absent writes at commit: keep the verdict, drop the bytes until then
                taken = alreadyExists;
                buffer = null;
                channel = null;
                session = null;
            }
        }
        written += len;
    }

    @Override
    public ObjectInfo commit() {
        checkOpen("commit");
        // finished whatever happens below: a failed commit published nothing (or, if transient, may have)
        state = State.ABORTED;
        if (taken != null) {
            throw taken;
        }
        BlobInfo stored;
        try {
            stored = channel == null ? create() : finishUpload();
        } catch (IOException | BaseServiceException e) {
            throw storage.errors().translate("commit", key, e, GcsErrors.Subject.BUCKET);
        } finally {
            buffer = null;
            channel = null;
            session = null;
        }
        state = State.COMMITTED;
        return new ObjectInfo(key, written, GcsStorage.time(stored));
    }

    /**
     * Aborts unless committed. A resumable upload is dropped without finalising it (closing its
     * channel would publish the object); its session expires on the service.
     */
    @Override
    public void close() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        buffer = null;
        channel = null;
        session = null;
    }

    private Blob create() {
        byte[] content = buffer == null ? new byte[0] : buffer;
        if (ifAbsent) {
            return storage.ifAbsentCreates().create(info, content, 0, buffered, BlobTargetOption.doesNotExist());
        }
        return storage.uploads().create(info, content, 0, buffered);
    }

    private void startUpload() throws IOException {
        session = ifAbsent ? storage.uploads().blobWriteSession(info, BlobWriteOption.doesNotExist())
                : storage.uploads().blobWriteSession(info);
        channel = session.open();
        if (buffered > 0) {
            writeFully(ByteBuffer.wrap(buffer, 0, buffered));
        }
        // the channel holds its own chunk buffer from here on
        buffer = null;
        buffered = 0;
    }

    private BlobInfo finishUpload() throws IOException {
        channel.close();
        try {
            return session.getResult().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BaseServiceException service) {
                throw service;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageTransientException("interrupted while committing '" + key + "' to '" + storage.url()
                    + "'; it may or may not have been stored", e);
        }
    }

    private void writeFully(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }

    private void checkOpen(String action) {
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot " + action + " '" + key + "': the write was already "
                    + (state == State.COMMITTED ? "committed" : "aborted"));
        }
    }
}

package io.arca.s3;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.RetryPolicy;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A pending object of an {@link S3Storage}: one PutObject when it fits in a part, else a multipart
 * upload with parts in flight on the store's upload threads (see {@link S3Storage}).
 *
 * <p>Buffers: the first grows from small to one part, so small objects cost little; once a part
 * is full and more bytes come it goes to an upload thread, and the writer takes a free buffer or
 * allocates one while fewer than {@code concurrency + 1} exist, else waits for an upload to
 * return one. Parts are sent only when more bytes follow, so the last part is never empty and an
 * object of exactly one part is a plain PutObject.
 */
final class S3Writer extends StorageWriter {
    private enum State { OPEN, COMMITTED, ABORTED }

    /** The part size doubles after every this many parts; see {@link #partSize(long, int)}. */
    static final int PARTS_PER_SIZE = 1_000;
    /** S3's limit. */
    static final int MAX_PARTS = 10_000;
    private static final int INITIAL_BUFFER = 64 * 1024;
    /** Parts are Java arrays; larger parts would need chunked buffers, and so much memory per part. */
    static final int MAX_BUFFER = Integer.MAX_VALUE - 8;
    /** Retries of a part upload or the upload's start: both are idempotent. */
    private static final RetryPolicy RETRY = new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(5));

    private final S3Storage storage;
    private final String key;
    private final WriteOptions.Mode mode;
    private final long basePartSize;
    private final int maxBuffers;
    private final BlockingQueue<byte[]> freeBuffers;
    private final List<Future<CompletedPart>> parts = new ArrayList<>();
    /** The first failure of an upload thread, reported by the next write or the commit. */
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean aborting;

    private State state = State.OPEN;
    private byte[] buffer;
    private int filled;
    /** Buffers that exist: the one being filled, those uploading and the free ones. */
    private int buffers;
    private long size;
    private String uploadId;

    S3Writer(S3Storage storage, String key, WriteOptions options, long basePartSize, int concurrency) {
        this.storage = storage;
        this.key = key;
        this.mode = options.mode();
        this.basePartSize = basePartSize;
        this.maxBuffers = concurrency + 1;
        this.freeBuffers = new ArrayBlockingQueue<>(maxBuffers);
        long expected = options.expectedSize();
        // a known small size is allocated exactly; an unknown one starts small and grows
        this.buffer = new byte[(int) (expected >= 0 ? Math.min(expected, basePartSize) : INITIAL_BUFFER)];
        this.buffers = 1;
    }

    @Override
    public void write(int b) {
        // buffers never exceed a part, so room in the buffer is room in the part
        if (state == State.OPEN && buffer != null && filled < buffer.length && failure.get() == null) {
            buffer[filled++] = (byte) b;
            size++;
            return;
        }
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** Buffers the bytes, sending full parts; a failure aborts the write, as a failed commit does. */
    @Override
    public void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen("write to");
        try {
            checkFailure();
            while (len > 0) {
                int partSize = partSize(parts.size() + 1);
                if (filled == partSize) {
                    sendPart();
                    buffer = nextBuffer(partSize(parts.size() + 1));
                    checkFailure();
                    continue;
                }
                if (filled == buffer.length) {
                    buffer = grow(buffer, partSize, (long) filled + len);
                }
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                size += n;
            }
        } catch (RuntimeException e) {
            state = State.ABORTED;
            abortUpload();
            throw e;
        }
    }

    /** Does nothing: bytes become visible only by {@link #commit()}. */
    @Override
    public void flush() {
        checkOpen("flush");
    }

    @Override
    public ObjectInfo commit() {
        checkOpen("commit");
        // finished whatever happens below: a failed commit has aborted the upload
        state = State.ABORTED;
        try {
            checkFailure();
            ObjectInfo info;
            if (uploadId == null) {
                info = storage.putObject(key, buffer, filled, mode);
            } else {
                sendPart();
                info = storage.completeMultipartUpload(key, uploadId, awaitParts(), size, mode);
            }
            state = State.COMMITTED;
            release(true);
            return info;
        } catch (RuntimeException e) {
            abortUpload();
            throw e;
        }
    }

    @Override
    public void close() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        abortUpload();
    }

    /** Part buffers that exist now; never more than upload-concurrency + 1. */
    int buffers() {
        return buffers;
    }

    /**
     * The size of part {@code partNumber} for a configured {@code basePartSize}: that size for the
     * first {@value #PARTS_PER_SIZE} parts, then doubling every {@value #PARTS_PER_SIZE} parts, at
     * most the largest Java array. With 8 MiB parts 10,000 parts hold about 5.8 TiB, more than S3's
     * largest object (5 TiB).
     */
    static int partSize(long basePartSize, int partNumber) {
        int doublings = Math.min(20, (partNumber - 1) / PARTS_PER_SIZE);
        return (int) Math.min(MAX_BUFFER, basePartSize << doublings);
    }

    private int partSize(int partNumber) {
        return partSize(basePartSize, partNumber);
    }

    /** Hands the filled buffer to an upload thread, starting the multipart upload first if needed. */
    private void sendPart() {
        if (uploadId == null) {
            uploadId = withRetries(() -> storage.createMultipartUpload(key));
        }
        int partNumber = parts.size() + 1;
        if (partNumber > MAX_PARTS) {
            throw new StorageAccessException("object '" + key + "' in '" + storage.url() + "' is larger than S3 allows"
                    + " (10,000 parts)", "use a larger part-size in the repository URL", null);
        }
        byte[] data = buffer;
        int length = filled;
        String id = uploadId;
        buffer = null;
        filled = 0;
        try {
            parts.add(storage.uploads().submit(() -> uploadPart(id, partNumber, data, length)));
        } catch (RejectedExecutionException e) {
            freeBuffers.offer(data);
            throw new IllegalStateException("storage '" + storage.url() + "' is closed", e);
        }
    }

    private CompletedPart uploadPart(String id, int partNumber, byte[] data, int length) {
        try {
            if (aborting) {
                throw new CancellationException("write of '" + key + "' aborted");
            }
            return withRetries(() -> storage.uploadPart(key, id, partNumber, data, length));
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            throw e;
        } finally {
            freeBuffers.offer(data);
        }
    }

    /** The first buffer, grown towards one part: a kept part buffer if the store has one, else a copy twice as large. */
    private byte[] grow(byte[] current, int partSize, long needed) {
        byte[] kept = storage.partBuffers().take(partSize);
        byte[] grown = kept != null ? kept
                : new byte[(int) Math.min(partSize, Math.max(needed, 2L * current.length))];
        System.arraycopy(current, 0, grown, 0, filled);
        return grown;
    }

    /** A free buffer of {@code size} bytes, allocating while fewer than the limit exist, else waiting. */
    private byte[] nextBuffer(int size) {
        while (true) {
            byte[] free = freeBuffers.poll();
            if (free == null) {
                if (buffers < maxBuffers) {
                    buffers++;
                    byte[] kept = storage.partBuffers().take(size);
                    return kept != null ? kept : new byte[size];
                }
                try {
                    free = freeBuffers.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageTransientException("interrupted while writing '" + key + "' to '"
                            + storage.url() + "'", null, e);
                }
            }
            if (free.length == size) {
                return free;
            }
            // from before the part size grew
            buffers--;
        }
    }

    private List<CompletedPart> awaitParts() {
        List<CompletedPart> completed = new ArrayList<>(parts.size());
        for (Future<CompletedPart> part : parts) {
            try {
                completed.add(part.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause
                        : new IllegalStateException("part upload failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageTransientException("interrupted while committing '" + key + "' to '"
                        + storage.url() + "'", null, e);
            }
        }
        return completed;
    }

    /** Waits for running part uploads, then aborts the multipart upload; never throws. */
    private void abortUpload() {
        if (aborting) {
            return;
        }
        aborting = true;
        boolean interrupted = Thread.interrupted();
        if (!interrupted) {
            for (Future<CompletedPart> part : parts) {
                try {
                    part.get();
                } catch (ExecutionException | CancellationException e) {
                    // the abort below removes whatever the part left
                } catch (InterruptedException e) {
                    // stop waiting; a part that lands after the abort is removed by the lifecycle rule
                    interrupted = true;
                    break;
                }
            }
        }
        if (uploadId != null) {
            storage.abortMultipartUpload(key, uploadId);
        }
        // a part still uploading (the wait was interrupted) must keep its buffer to itself
        release(!interrupted);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drops the buffers, handing them to the store for the next write when no upload uses them. */
    private void release(boolean reusable) {
        if (reusable) {
            storage.partBuffers().give(buffer);
            for (byte[] free; (free = freeBuffers.poll()) != null; ) {
                storage.partBuffers().give(free);
            }
        }
        buffer = null;
        freeBuffers.clear();
    }

    private void checkFailure() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    private <T> T withRetries(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (StorageTransientException e) {
                if (attempt >= RETRY.maxAttempts() || aborting || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(RETRY.delayCap(attempt).toMillis() + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void checkOpen(String action) {
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot " + action + " '" + key + "': the write was already "
                    + (state == State.COMMITTED ? "committed" : "aborted"));
        }
    }
}

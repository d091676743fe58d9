package io.arca.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A streamed upload to one block blob. Bytes collect in a buffer of one block; an object that
 * fits in one block is sent by a single Put Blob at commit. A larger one stages each full block
 * (Put Block) on the store's upload threads, at most {@code uploadConcurrency} at a time, and
 * commit publishes them all at once (Put Block List). So an upload holds at most
 * {@code uploadConcurrency + 1} block buffers, and staged blocks stay invisible (not listed, not
 * readable) until the commit; after an abort the service discards them (within a week).
 *
 * <p>An if-absent write sends {@code If-None-Match: *} with the Put Blob or Put Block List, so the
 * service checks and publishes in one step.
 *
 * <p>Azure allows 50 000 blocks per blob. The block size doubles after every 10 000 blocks (up to
 * 16 times the configured size, at most 1 GiB), so the default 8 MiB blocks reach about 2.4 TiB.
 */
final class AzureBlobWriter extends StorageWriter {
    private enum State { OPEN, COMMITTED, ABORTED }

    static final int MAX_BLOCKS = 50_000;
    static final int BLOCKS_PER_SIZE = 10_000;
    private static final int MAX_DOUBLINGS = 4;
    private static final int FIRST_BUFFER = 64 * 1024;
    private static final int MAX_BUFFER = 1 << 30;
    private static final byte[] EMPTY = new byte[0];

    private final AzureErrors errors;
    private final BlockBlobClient blob;
    private final String key;
    private final WriteOptions options;
    private final AccessTier tier;
    private final int blockSize;
    private final ThreadPoolExecutor executor;
    /** One permit per block being staged: bounds the buffers in flight. */
    private final Semaphore slots;
    private final ConcurrentLinkedQueue<byte[]> freeBuffers = new ConcurrentLinkedQueue<>();
    private final AtomicReference<RuntimeException> stageFailure = new AtomicReference<>();
    private final List<String> blockIds = new ArrayList<>();
    private final List<FutureTask<Void>> staging = new ArrayList<>();
    /** Block ids must have one length per blob; a per-writer part keeps concurrent writers apart. */
    private final String writerId = UUID.randomUUID().toString().replace("-", "");
    private byte[] buffer = EMPTY;
    private int count;
    private long size;
    private State state = State.OPEN;

    AzureBlobWriter(AzureErrors errors, BlockBlobClient blob, String key, WriteOptions options, AzureOptions settings,
            ThreadPoolExecutor executor) {
        this.errors = errors;
        this.blob = blob;
        this.key = key;
        this.options = options;
        this.tier = settings.accessTier();
        this.blockSize = settings.blockSize();
        this.slots = new Semaphore(settings.uploadConcurrency());
        this.executor = executor;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen("write to");
        while (len > 0) {
            // a full block is staged only once more bytes come, so a one-block object is one Put Blob
            if (count == capacity()) {
                stageBuffer();
            }
            if (count == buffer.length) {
                grow();
            }
            int n = Math.min(len, buffer.length - count);
            System.arraycopy(b, off, buffer, count, n);
            count += n;
            size += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void flush() {
        checkOpen("flush");
    }

    @Override
    public ObjectInfo commit() {
        checkOpen("commit");
        // finished whatever happens below; the service discards blocks that are never committed
        state = State.ABORTED;
        BlobRequestConditions conditions = options.mode() == WriteOptions.Mode.IF_ABSENT
                ? new BlobRequestConditions().setIfNoneMatch("*") : null;
        BlockBlobItem item;
        try {
            if (blockIds.isEmpty()) {
                BinaryData data = BinaryData.fromByteBuffer(ByteBuffer.wrap(buffer, 0, count));
                item = blob.uploadWithResponse(new BlockBlobSimpleUploadOptions(data).setTier(tier)
                        .setRequestConditions(conditions), null, Context.NONE).getValue();
            } else {
                if (count > 0) {
                    stageBuffer();
                }
                awaitStaging();
                item = blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(blockIds).setTier(tier)
                        .setRequestConditions(conditions), null, Context.NONE).getValue();
            }
        } catch (RuntimeException e) {
            release();
            if (conditions != null && AzureErrors.isConditionFailed(e)) {
                throw errors.alreadyExists(key, e);
            }
            throw errors.map(e, "commit", key);
        }
        release();
        state = State.COMMITTED;
        return new ObjectInfo(key, size, item.getLastModified().toInstant());
    }

    @Override
    public void close() {
        if (state == State.OPEN) {
            state = State.ABORTED;
            release();
        }
    }

    /** Bytes in the block being filled: the configured size, doubled per 10 000 blocks, at most 1 GiB. */
    private int capacity() {
        return (int) Math.min(MAX_BUFFER, (long) blockSize << Math.min(blockIds.size() / BLOCKS_PER_SIZE, MAX_DOUBLINGS));
    }

    /** Enlarges the first buffer, which starts small so that small objects take little memory. */
    private void grow() {
        long expected = options.expectedSize();
        int initial = expected > 0 && expected < capacity() ? (int) expected : FIRST_BUFFER;
        buffer = Arrays.copyOf(buffer, (int) Math.min(capacity(), Math.max(initial, buffer.length * 2L)));
    }

    /** Hands the full buffer to an upload thread, waiting while all slots are busy. */
    private void stageBuffer() {
        RuntimeException failed = stageFailure.get();
        if (failed != null) {
            close();
            throw failed;
        }
        if (blockIds.size() == MAX_BLOCKS) {
            close();
            throw new StorageAccessException("object '" + key + "' is too large for " + MAX_BLOCKS + " blocks of "
                    + "block-size " + blockSize + " bytes", "raise block-size in the repository URL, "
                    + "such as block-size=64MiB", null);
        }
        String id = Base64.getEncoder().encodeToString(
                String.format("%s-%06d", writerId, blockIds.size()).getBytes(StandardCharsets.US_ASCII));
        byte[] data = buffer;
        int length = count;
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new StorageTransientException("upload of '" + key + "' was interrupted", e);
        }
        FutureTask<Void> task = new FutureTask<>(() -> {
            try {
                blob.stageBlockWithResponse(new BlockBlobStageBlockOptions(id,
                        BinaryData.fromByteBuffer(ByteBuffer.wrap(data, 0, length))), null, Context.NONE);
            } catch (RuntimeException e) {
                stageFailure.compareAndSet(null, errors.map(e, "write", key));
            } finally {
                // back in the pool before the slot is free, so the writer never holds more buffers
                freeBuffers.offer(data);
                slots.release();
            }
            return null;
        });
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            slots.release();
            close();
            throw new IllegalStateException("cannot write '" + key + "': the storage is closed", e);
        }
        staging.add(task);
        blockIds.add(id);
        buffer = nextBuffer();
        count = 0;
    }

    /** A free buffer of the current block size, or a new one. */
    private byte[] nextBuffer() {
        int capacity = capacity();
        for (byte[] free; (free = freeBuffers.poll()) != null; ) {
            if (free.length >= capacity) {
                return free;
            }
        }
        return new byte[capacity];
    }

    private void awaitStaging() {
        for (FutureTask<Void> task : staging) {
            try {
                task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageTransientException("upload of '" + key + "' was interrupted", e);
            } catch (ExecutionException e) {
                // tasks record their own failures; this is an Error such as OutOfMemoryError
                throw new IllegalStateException("staging a block of '" + key + "' failed", e.getCause());
            }
        }
        RuntimeException failed = stageFailure.get();
        if (failed != null) {
            throw failed;
        }
    }

    /** Drops queued blocks and every buffer; blocks being sent finish on their own and stay uncommitted. */
    private void release() {
        for (FutureTask<Void> task : staging) {
            if (task.cancel(false)) {
                executor.remove(task);
            }
        }
        staging.clear();
        freeBuffers.clear();
        buffer = EMPTY;
        count = 0;
    }

    private void checkOpen(String action) {
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot " + action + " '" + key + "': the write was already "
                    + (state == State.COMMITTED ? "committed" : "aborted"));
        }
    }
}

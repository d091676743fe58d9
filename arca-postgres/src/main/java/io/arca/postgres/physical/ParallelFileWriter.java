package io.arca.postgres.physical;

import com.sun.nio.file.ExtendedOpenOption;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the files of a tar stream on several threads, with direct I/O where the file system
 * allows it, while one thread reads the stream.
 *
 * <h2>Why</h2>
 * Copying restored files into the page cache costs the kernel more than decompressing them costs
 * us: on a virtual machine whose host has taken back the guest's free memory, one thread writing
 * 2 GiB into the page cache needs 4 to 6 s of system time, and the {@code fsync} afterwards
 * another second. Written with {@code O_DIRECT} ({@link ExtendedOpenOption#DIRECT}) the same bytes
 * go from our buffers to the device in about 1 s with hardly any system time, the final sync
 * finds nothing left to write, and the restore does not evict the page cache of everything else
 * on the host. Direct writes wait for the device, so several threads keep it busy.
 *
 * <h2>How</h2>
 * The reading thread cuts each file's content into chunks (from a fixed pool: memory stays
 * bounded however large the files) and queues each chunk with its offset; any writer thread
 * writes any chunk with a positional write, so a 1 GiB relation segment is written by all of them
 * at once. A writer copies the chunk into its own aligned direct buffer; a file's last chunk is
 * padded to the alignment and the file truncated to its size afterwards. Where the file system
 * refuses {@code O_DIRECT} (tmpfs, some network file systems), files are written through the
 * page cache instead. When the reader has handed over a file's last chunk and the writers have
 * written every chunk, the file's {@link Finish} action runs (permissions, modification time,
 * rename) on whichever thread wrote the last chunk.
 *
 * <p>The first failure stops all writing: later chunks are dropped, every open file is closed,
 * and the reading thread gets the failure at its next call. Not reusable after {@link #close()}.
 */
final class ParallelFileWriter implements AutoCloseable {
    /** Runs after a file's last chunk was written and its channel closed. */
    @FunctionalInterface
    interface Finish {
        void run() throws IOException;
    }

    private static final Chunk STOP = new Chunk(null, null, 0, 0);
    private static final OpenOption[] OPEN = {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS};
    private static final OpenOption[] OPEN_DIRECT = {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS, ExtendedOpenOption.DIRECT};

    private final int chunkSize;
    private final BlockingQueue<byte[]> free;
    private final BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    private final Thread[] threads;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Object idle = new Object();
    private int unfinished;
    /** Direct I/O: tried until the first file system refuses it. */
    private volatile boolean direct;
    /** Whether the block size of the (first) target's file system was checked. */
    private boolean directChecked;

    /**
     * @param threads writer threads
     * @param chunkSize bytes per chunk, a power of two (at least 64 KiB for direct I/O)
     * @param chunks chunks in the pool (memory: {@code chunks * chunkSize} on the heap, and one
     *     direct buffer of {@code chunkSize} per writer)
     * @param direct whether to try direct I/O
     */
    ParallelFileWriter(int threads, int chunkSize, int chunks, boolean direct) {
        this.chunkSize = chunkSize;
        this.direct = direct;
        free = new ArrayBlockingQueue<>(chunks);
        for (int i = 0; i < chunks; i++) {
            free.add(new byte[chunkSize]);
        }
        this.threads = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "arca-restore-write-" + i);
            t.setDaemon(true);
            this.threads[i] = t;
            t.start();
        }
    }

    /**
     * Default sizing: two writers per core (direct writes wait for the device), 1 MiB chunks,
     * four per writer; direct I/O unless the system property {@code arca.restore.direct} is
     * {@code false}.
     */
    static ParallelFileWriter forCores() {
        int writers = Math.max(2, Math.min(8, 2 * Runtime.getRuntime().availableProcessors()));
        return new ParallelFileWriter(writers, 1 << 20, 4 * writers,
                !"false".equals(System.getProperty("arca.restore.direct")));
    }

    /**
     * Creates (or truncates) {@code path}, reads {@code content} to its end into it, then runs
     * {@code finish}. When reading or writing fails, {@code finish} does not run, and a {@code
     * temporary} file is deleted. Returns once every chunk is queued; the writing may still go on
     * ({@link #await}).
     *
     * @return the bytes read
     * @throws IOException from reading {@code content}
     * @throws ArcaException FAILURE when the file cannot be created or a writer failed before
     */
    long write(InputStream content, Path path, boolean temporary, Finish finish) throws IOException {
        rethrow();
        OpenFile file = new OpenFile(path, temporary, finish);
        synchronized (idle) {
            unfinished++;
        }
        long position = 0;
        boolean complete = false;
        try {
            open(file);
            while (true) {
                byte[] buffer = takeBuffer();
                int n;
                try {
                    n = fill(content, buffer);
                } catch (IOException | RuntimeException e) {
                    free.add(buffer);
                    throw e;
                }
                if (n == 0) {
                    free.add(buffer);
                    break;
                }
                file.pending.incrementAndGet();
                queue.add(new Chunk(file, buffer, n, position));
                position += n;
            }
            file.size = position;
            complete = true;
        } finally {
            if (!complete) {
                file.failed = true;
            }
            file.release(this);
        }
        rethrow();
        return position;
    }

    /**
     * Waits until every file handed over is written and finished.
     *
     * @throws ArcaException the first failure of a writer
     */
    void await() {
        synchronized (idle) {
            while (unfinished > 0) {
                try {
                    idle.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw interrupted(e);
                }
            }
        }
        rethrow();
    }

    /**
     * Stops the writer threads and waits for them: after {@link #await}, or to abandon the work
     * after a failure (chunks not yet written are dropped, finish actions do not run).
     */
    @Override
    public void close() {
        synchronized (idle) {
            if (unfinished > 0) {
                failure.compareAndSet(null, new ArcaException(ErrorCode.FAILURE, "writing the restored files was abandoned",
                        null));
            }
        }
        for (int i = 0; i < threads.length; i++) {
            queue.add(STOP);
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void open(OpenFile file) {
        if (direct && !directChecked) {
            // the JDK wants direct writes in multiples of the file system's block size: the padding covers up to 64 KiB
            directChecked = true;
            try {
                long blockSize = Files.getFileStore(file.path.getParent()).getBlockSize();
                direct = blockSize > 0 && blockSize <= DIRECT_PAD && Long.bitCount(blockSize) == 1;
            } catch (IOException | UnsupportedOperationException e) {
                direct = false;
            }
        }
        if (direct) {
            try {
                file.channel = FileChannel.open(file.path, OPEN_DIRECT);
                file.direct = true;
                return;
            } catch (IOException | UnsupportedOperationException e) {
                // the file system does not do direct I/O (or not with this block size): the page cache then
                direct = false;
            }
        }
        try {
            file.channel = FileChannel.open(file.path, OPEN);
        } catch (IOException e) {
            throw DataDirectoryWriter.ioFailure("cannot write '" + file.path + "'", e);
        }
    }

    private byte[] takeBuffer() {
        while (true) {
            rethrow();
            try {
                byte[] b = free.poll(100, TimeUnit.MILLISECONDS);
                if (b != null) {
                    return b;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted(e);
            }
        }
    }

    private void rethrow() {
        Throwable t = failure.get();
        if (t == null) {
            return;
        }
        if (t instanceof ArcaException a) {
            throw a;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new ArcaException(ErrorCode.FAILURE, "writing the restored files failed: " + t,
                "check free space and permissions of the target directories", t);
    }

    private static ArcaException interrupted(InterruptedException e) {
        return new ArcaException(ErrorCode.INTERRUPTED, "interrupted while writing the restored files", null, e);
    }

    private void work() {
        // aligned for any block size up to the chunk size; direct I/O needs the file system's
        ByteBuffer aligned = ByteBuffer.allocateDirect(2 * chunkSize).alignedSlice(chunkSize);
        while (true) {
            Chunk c;
            try {
                c = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (c == STOP) {
                return;
            }
            try {
                if (failure.get() == null && !c.file.failed) {
                    write(c, aligned);
                }
            } catch (IOException e) {
                c.file.failed = true;
                failure.compareAndSet(null, DataDirectoryWriter.ioFailure("cannot write '" + c.file.path + "'", e));
            } catch (RuntimeException | Error e) {
                c.file.failed = true;
                failure.compareAndSet(null, e);
            } finally {
                free.add(c.buffer);
                c.file.release(this);
            }
        }
    }

    private static void write(Chunk c, ByteBuffer aligned) throws IOException {
        ByteBuffer b;
        if (c.file.direct) {
            // a short (last) chunk is padded with zeros to the block size, cut off again at the end
            int padded = (c.length + DIRECT_PAD - 1) / DIRECT_PAD * DIRECT_PAD;
            aligned.clear();
            aligned.put(c.buffer, 0, c.length);
            while (aligned.position() < padded) {
                aligned.put((byte) 0);
            }
            b = aligned.flip();
        } else {
            b = ByteBuffer.wrap(c.buffer, 0, c.length);
        }
        long at = c.position;
        while (b.hasRemaining()) {
            at += c.file.channel.write(b, at);
        }
    }

    /**
     * What a direct write's length is rounded up to: 64 KiB covers every block size a file
     * system uses (the JDK requires the file store's block size), and pads at most one chunk per
     * file.
     */
    private static final int DIRECT_PAD = 64 * 1024;

    private void finished(Throwable t) {
        if (t != null) {
            failure.compareAndSet(null, t);
        }
        synchronized (idle) {
            unfinished--;
            idle.notifyAll();
        }
    }

    private static int fill(InputStream in, byte[] buffer) throws IOException {
        int n = 0;
        while (n < buffer.length) {
            int r = in.read(buffer, n, buffer.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    private record Chunk(OpenFile file, byte[] buffer, int length, long position) {
    }

    /** A file being written: the reader holds one reference until its last chunk is queued, each chunk one. */
    private static final class OpenFile {
        final Path path;
        final boolean temporary;
        final Finish finish;
        final AtomicInteger pending = new AtomicInteger(1);
        FileChannel channel;
        boolean direct;
        /** Set by the reader before it lets go of the file. */
        long size = -1;
        volatile boolean failed;

        OpenFile(Path path, boolean temporary, Finish finish) {
            this.path = path;
            this.temporary = temporary;
            this.finish = finish;
        }

        void release(ParallelFileWriter owner) {
            if (pending.decrementAndGet() != 0) {
                return;
            }
            Throwable problem = null;
            try {
                boolean ok = !failed && owner.failure.get() == null;
                if (channel != null) {
                    try (FileChannel ch = channel) {
                        if (ok && direct && ch.size() != size) {
                            ch.truncate(size);
                        }
                    }
                }
                if (ok) {
                    finish.run();
                } else if (temporary && channel != null) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                problem = DataDirectoryWriter.ioFailure("cannot write '" + path + "'", e);
            } catch (RuntimeException | Error e) {
                problem = e;
            }
            owner.finished(problem);
        }
    }
}

package io.arca.postgres.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Keeps the next WAL segments of a recovery fetched into a spool directory, in a process that
 * outlives the {@code restore_command} call that started it (as pgBackRest's asynchronous
 * archive-get does).
 *
 * <p>Recovery asks for one segment per {@code restore_command} call, and replays it before asking
 * for the next. A call that fetched the next segments itself before returning left recovery
 * waiting for all of them, and the next miss started a JVM again: fetching and replaying took
 * turns. This prefetcher fetches while recovery replays: it keeps {@code window} segments after
 * the last one consumed in the spool (consumed: moved away by {@code restore_command}), on {@code
 * threads} threads, and stops
 * <ul>
 *   <li>when a segment is not in the archive (the end of the WAL; a later call starts it again),
 *   <li>when a fetch fails (the {@code restore_command} call for that segment then fetches it
 *       itself and reports the error to the server log),
 *   <li>when recovery is over ({@code recovery.signal} and {@code standby.signal} are gone from
 *       the data directory), the server is gone ({@code postmaster.pid}: an immediate shutdown
 *       signals the process group with SIGQUIT, which a JVM survives) or the spool directory is
 *       gone,
 *   <li>after {@code idle} without a segment consumed (recovery paused at its target).
 * </ul>
 *
 * <p>Its state is in the spool directory: {@value #LOCK} is locked while one runs (so only one
 * does), and {@value #STATE} says up to which segment it has started fetching and, once found,
 * which segment the archive lacks; a {@code restore_command} call for a segment the prefetcher is
 * fetching waits for it ({@link #covers}) instead of fetching it a second time.
 */
public final class WalPrefetcher {
    public static final String LOCK = "prefetch.lock";
    public static final String STATE = "prefetch.state";
    private static final long POLL_MILLIS = 20;

    private final WalArchive archive;
    private final long systemId;
    private final long segmentSize;
    private final Path spool;
    private final Path pgdata;
    private final int window;
    private final int threads;
    private final Duration idle;
    private final Consumer<String> log;

    /**
     * @param pgdata the data directory under recovery (whose signal files say whether it goes on)
     * @param log where a failed fetch is reported
     */
    public WalPrefetcher(WalArchive archive, long systemId, long segmentSize, Path spool, Path pgdata, int window,
            int threads, Duration idle, Consumer<String> log) {
        this.archive = archive;
        this.systemId = systemId;
        this.segmentSize = segmentSize;
        this.spool = spool;
        this.pgdata = pgdata;
        this.window = Math.max(1, window);
        this.threads = Math.max(1, threads);
        this.idle = idle;
        this.log = log;
    }

    /** What {@value #STATE} says: fetching started for every segment of {@code next}'s timeline before it; {@code end}, when not null, is not archived. */
    public record State(WalFileName next, WalFileName end) {
        /** Whether a running prefetcher has {@code wanted} in hand (fetching, or fetched into the spool). */
        public boolean covers(WalFileName wanted) {
            return wanted.kind() == WalFileName.Kind.SEGMENT && wanted.timeline().equals(next.timeline())
                    && wanted.name().compareTo(next.name()) < 0 && (end == null || wanted.name().compareTo(end.name()) < 0);
        }
    }

    /** Whether a prefetcher holds the spool's lock now. */
    public static boolean running(Path spool) {
        Path lock = spool.resolve(LOCK);
        if (!Files.exists(lock)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The state a running prefetcher wrote, or null. */
    public static State state(Path spool, long segmentSize) {
        try {
            String[] parts = Files.readString(spool.resolve(STATE), StandardCharsets.US_ASCII).trim().split(" ");
            WalFileName next = WalFileName.parse(parts[0], segmentSize);
            WalFileName end = parts.length > 1 ? WalFileName.parse(parts[1], segmentSize) : null;
            return new State(next, end);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Prefetches from {@code first} on until one of the reasons in the class comment; returns at
     * once when another prefetcher runs on this spool.
     */
    public void run(WalFileName first) {
        Path lockFile = spool.resolve(LOCK);
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return;
            }
            if (lock == null) {
                return;
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "arca-prefetch");
                t.setDaemon(true);
                return t;
            });
            try {
                loop(first, pool);
            } finally {
                pool.shutdownNow();
                try {
                    Files.deleteIfExists(spool.resolve(STATE));
                } catch (IOException e) {
                    // a stale state only matters while the lock is held
                }
                lock.release();
            }
        } catch (NoSuchFileException e) {
            // the spool is gone: recovery is over
        } catch (UncheckedIOException e) {
            log.accept("prefetching WAL into '" + spool + "' stopped: " + e.getCause().getMessage());
        } catch (IOException e) {
            log.accept("prefetching WAL into '" + spool + "' stopped: " + e.getMessage());
        }
    }

    private void loop(WalFileName first, ExecutorService pool) throws IOException {
        WalFileName next = first;
        WalFileName end = null;
        Deque<Fetch> inFlight = new ArrayDeque<>();
        // fetched into the spool and not consumed yet, oldest first
        Set<String> spooled = new LinkedHashSet<>();
        long lastProgress = System.nanoTime();
        writeState(next, null);
        while (true) {
            if (!recovering() || !Files.isDirectory(spool)) {
                return;
            }
            for (Iterator<String> it = spooled.iterator(); it.hasNext(); ) {
                if (!Files.exists(spool.resolve(it.next()))) {
                    it.remove();
                    lastProgress = System.nanoTime();
                }
            }
            while (!inFlight.isEmpty() && inFlight.peekFirst().future.isDone()) {
                Fetch f = inFlight.pollFirst();
                try {
                    if (f.future.get()) {
                        spooled.add(f.name.name());
                    } else if (end == null || f.name.name().compareTo(end.name()) < 0) {
                        end = f.name;
                        writeState(next, end);
                    }
                } catch (ExecutionException e) {
                    log.accept("prefetching " + f.name.name() + " failed (recovery fetches it itself): " + e.getCause());
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (end != null && inFlight.isEmpty()) {
                return;
            }
            boolean scheduled = false;
            while (end == null && spooled.size() + inFlight.size() < window) {
                WalFileName name = next;
                Path target = spool.resolve(name.name());
                inFlight.addLast(new Fetch(name, pool.submit(() -> Files.exists(target)
                        || archive.fetch(systemId, name, target))));
                next = next.next(segmentSize);
                scheduled = true;
            }
            if (scheduled) {
                writeState(next, end);
            }
            if (System.nanoTime() - lastProgress > idle.toNanos()) {
                return;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The server runs (a JVM outlives an immediate shutdown's SIGQUIT) and has not finished recovery. */
    private boolean recovering() {
        return Files.exists(pgdata.resolve("postmaster.pid")) && (Files.exists(pgdata.resolve("recovery.signal"))
                || Files.exists(pgdata.resolve("standby.signal")));
    }

    private void writeState(WalFileName next, WalFileName end) {
        Path tmp = spool.resolve(STATE + ".tmp");
        try {
            Files.writeString(tmp, next.name() + (end == null ? "" : " " + end.name()), StandardCharsets.US_ASCII);
            Files.move(tmp, spool.resolve(STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Fetch(WalFileName name, Future<Boolean> future) {
    }
}

package io.arca.postgres.archive;

import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.PgConnections;
import io.arca.postgres.local.ToolProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Restores a custom-format archive with {@code pg_restore}, in parallel without a local copy of
 * the archive.
 *
 * <p>With {@code jobs > 1} ({@link #restore}) the restore runs in three phases. The archive's
 * header and TOC (small) go to a temporary file. {@code pg_restore --section=pre-data --jobs=N}
 * runs on that file: no data is needed for it. Then the data section (as {@code pg_restore -l
 * --section=data} lists it) is split among up to N {@code pg_restore} processes by {@link
 * DataPhasePlan}; each reads from its standard input a synthetic archive, the header and TOC
 * followed by exactly its blocks, and restores the entries of its {@code -L} list. This works
 * because a custom archive written to a pipe records no data offsets, so {@code pg_restore}
 * reading a pipe finds each block by scanning forward through the blocks in list order. Last,
 * {@code pg_restore --section=post-data --jobs=N} runs on the TOC file. With {@code jobs == 1}
 * one {@code pg_restore} reads header, TOC and the selected blocks from its standard input.
 *
 * <p>The table and schema filters apply to every phase. With {@code clean}, {@link
 * ArchiveCleaner} first drops what the restore is about to create. Every {@code pg_restore}
 * runs with {@code --exit-on-error}; when one fails, the others are stopped and its error is
 * thrown, with the last lines of its standard error as the cause. Temporary files are deleted
 * on every path. Instances are immutable; one restore at a time per call.
 */
public final class ArchiveRestore {

    private static final String PROGRAM = "pg_restore";
    private static final int BUFFER = 256 * 1024;
    private static final int TAIL_LINES = 20;

    private final PgRestoreCommand command;

    /**
     * What a restore did.
     *
     * @param dataWorkers {@code pg_restore} processes in the data phase (1 for a serial restore)
     * @param dataBytes bytes of data blocks fed (for a serial restore from one stream: every byte)
     * @param clean what the clean did, {@code null} without {@code --clean}
     * @param preData time of the clean and the pre-data phase (zero for a serial restore)
     * @param data time of the data phase (for a serial restore: all of it)
     * @param postData time of the post-data phase (zero for a serial restore)
     */
    public record RestoreReport(int dataWorkers, long dataBytes, ArchiveCleaner.CleanReport clean, Duration preData,
                                Duration data, Duration postData) {
    }

    public ArchiveRestore(PgRestoreCommand command) {
        this.command = Objects.requireNonNull(command, "command");
    }

    /**
     * Restores {@code source} into the target, in parallel phases when {@code options.jobs() > 1}.
     *
     * @throws ArcaException from {@code pg_restore} ({@link ErrorCode#TOOL_FAILED}, connection
     *     codes), from the clean, or {@link ErrorCode#VERIFICATION_FAILED} when the source lacks
     *     a block the TOC promises
     * @throws IOException when the source cannot be read
     */
    public RestoreReport restore(ArchiveSource source, RestoreOptions options) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        Path dir = RestoreTempDirectory.create();
        try {
            Path tocFile = writeToc(source, dir);
            long t0 = System.nanoTime();
            ArchiveCleaner.CleanReport clean = options.clean() ? clean(tocFile, source.toc(), options) : null;
            if (options.jobs() == 1) {
                long t1 = System.nanoTime();
                long fed = restoreSerialFromSource(source, tocFile, options);
                return new RestoreReport(1, fed, clean, Duration.ofNanos(t1 - t0), Duration.ofNanos(System.nanoTime() - t1),
                        Duration.ZERO);
            }
            runSection(tocFile, "pre-data", options);
            long t1 = System.nanoTime();
            List<DataPhasePlan.Worker> plan = DataPhasePlan.plan(
                    DataPhasePlan.parseListing(listing(tocFile, options, "--section=data")),
                    blocksById(source), source.toc().byDumpId(), options.jobs());
            long total = plan.stream().mapToLong(DataPhasePlan.Worker::bytes).sum();
            runWorkers(dir, tocFile, plan, source, options, total);
            long t2 = System.nanoTime();
            runSection(tocFile, "post-data", options);
            long t3 = System.nanoTime();
            return new RestoreReport(plan.size(), total, clean, Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1),
                    Duration.ofNanos(t3 - t2));
        } finally {
            TempFiles.deleteQuietly(dir);
        }
    }

    /**
     * Restores a whole archive read from one stream with a single {@code pg_restore} (the jobs
     * option is ignored). With {@code clean}, the header and TOC are read first and the clean
     * runs before {@code pg_restore} starts. The stream is read to its end, not closed.
     *
     * @throws ArcaException as {@link #restore}
     * @throws IOException when the stream cannot be read
     */
    public RestoreReport restoreSerial(InputStream wholeArchive, RestoreOptions options) throws IOException {
        Objects.requireNonNull(wholeArchive, "wholeArchive");
        Objects.requireNonNull(options, "options");
        Path dir = RestoreTempDirectory.create();
        try {
            long t0 = System.nanoTime();
            byte[] head = new byte[0];
            ArchiveCleaner.CleanReport clean = null;
            if (options.clean()) {
                ByteArrayOutputStream buffered = new ByteArrayOutputStream();
                TocParser parser = new TocParser(ArchiveFormat.CUSTOM);
                byte[] buf = new byte[65536];
                while (!parser.complete()) {
                    int n = wholeArchive.read(buf);
                    if (n < 0) {
                        throw parser.truncated("archive");
                    }
                    buffered.write(buf, 0, n);
                    parser.feed(buf, 0, n);
                }
                head = buffered.toByteArray();
                ArchiveToc toc = parser.toc();
                Path tocFile = dir.resolve("toc.dump");
                Files.write(tocFile, Arrays.copyOf(head, (int) toc.length()));
                clean = clean(tocFile, toc, options);
            }
            long t1 = System.nanoTime();
            FedCounter counter = new FedCounter(options.progress(), -1);
            byte[] prefix = head;
            runFedProcess(serialArgs(options), PROGRAM, out -> {
                pipe(new ByteArrayInputStream(prefix), out, counter);
                pipe(wholeArchive, out, counter);
            });
            return new RestoreReport(1, counter.fed(), clean, Duration.ofNanos(t1 - t0),
                    Duration.ofNanos(System.nanoTime() - t1), Duration.ZERO);
        } finally {
            TempFiles.deleteQuietly(dir);
        }
    }

    /**
     * Restores a directory-format archive (or a directory view of another archive, whose data
     * files may be named pipes) with one {@code pg_restore --format=directory --jobs=N}, which
     * schedules every section itself. With {@code clean}, {@link ArchiveCleaner} runs first.
     *
     * @throws ArcaException from {@code pg_restore} or from the clean
     */
    public void restoreDirectory(Path directory, ArchiveToc toc, RestoreOptions options) {
        if (options.clean()) {
            clean(directory, toc, options);
        }
        List<String> args = new ArrayList<>();
        args.add("--exit-on-error");
        args.add("--format=directory");
        args.add("--jobs=" + options.jobs());
        args.addAll(options.selectionArgs());
        args.addAll(command.connectionArgs());
        args.add(directory.toString());
        ToolProcess p = command.builder(args).noStdin().discardStdout().start();
        try {
            waitForSuccess(p, PROGRAM);
        } finally {
            p.close();
        }
    }

    /**
     * {@code pg_restore -l} of the source's TOC with the options' table and schema filters:
     * the entries a restore with these options would restore.
     */
    public String list(ArchiveSource source, RestoreOptions options) throws IOException {
        Path dir = RestoreTempDirectory.create();
        try {
            return list(writeToc(source, dir), options);
        } finally {
            TempFiles.deleteQuietly(dir);
        }
    }

    /**
     * {@code pg_restore -l} of a custom archive or TOC file with the options' table and schema
     * filters.
     */
    public String list(Path archiveFile, RestoreOptions options) {
        return listing(archiveFile, options);
    }

    private String listing(Path archiveFile, RestoreOptions options, String... extraArgs) {
        List<String> args = new ArrayList<>();
        args.add("--list");
        args.addAll(List.of(extraArgs));
        args.addAll(options.selectionArgs());
        args.add(archiveFile.toString());
        ToolProcess p = command.builder(args).noStdin().start();
        try {
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            waitForSuccess(p, "pg_restore (list)");
            return out;
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.TOOL_FAILED, "could not read the output of pg_restore --list: " + e.getMessage(),
                    "run with --debug to see the full output", e);
        } finally {
            p.close();
        }
    }

    private Path writeToc(ArchiveSource source, Path dir) throws IOException {
        Path tocFile = dir.resolve("toc.dump");
        long n;
        try (InputStream in = source.openToc()) {
            n = Files.copy(in, tocFile);
        }
        if (n != source.toc().length()) {
            throw ArchiveErrors.malformed("backup's header and table of contents are " + n + " bytes, "
                    + source.toc().length() + " were recorded");
        }
        return tocFile;
    }

    /**
     * Drops from the target what a restore of {@code archive} with these options would create
     * ({@link ArchiveCleaner}); the entries are those {@code pg_restore -l} selects with the
     * options' filters. {@link #restore} and {@link #restoreSerial} call this themselves when
     * {@code options.clean()}; it is public for archives restored otherwise (directory format).
     *
     * @param archive a custom archive, a file with its header and TOC, or a directory archive
     * @param toc the archive's TOC
     * @throws ArcaException as {@link ArchiveCleaner#clean}, or from connecting to the target
     */
    public ArchiveCleaner.CleanReport clean(Path archive, ArchiveToc toc, RestoreOptions options) {
        Set<Integer> selected = new HashSet<>();
        DataPhasePlan.parseListing(listing(archive, options)).forEach(l -> selected.add(l.dumpId()));
        Connection c = PgConnections.open(command.requireTarget());
        try {
            return ArchiveCleaner.clean(c, toc, selected::contains);
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                // The clean is done or has failed already; a failing close changes nothing.
            }
        }
    }

    private void runSection(Path tocFile, String section, RestoreOptions options) {
        List<String> args = new ArrayList<>();
        args.add("--exit-on-error");
        args.add("--section=" + section);
        args.add("--jobs=" + options.jobs());
        args.addAll(options.selectionArgs());
        args.addAll(command.connectionArgs());
        args.add(tocFile.toString());
        ToolProcess p = command.builder(args).noStdin().discardStdout().start();
        try {
            waitForSuccess(p, PROGRAM + " (" + section + ")");
        } finally {
            p.close();
        }
    }

    private List<String> serialArgs(RestoreOptions options) {
        List<String> args = new ArrayList<>();
        args.add("--exit-on-error");
        args.addAll(options.selectionArgs());
        args.addAll(command.connectionArgs());
        return args;
    }

    /** One pg_restore on standard input: header and TOC, then the blocks it will restore, in archive order. */
    private long restoreSerialFromSource(ArchiveSource source, Path tocFile, RestoreOptions options) throws IOException {
        List<BlockRef> blocks = source.blocks();
        if (!options.tables().isEmpty() || !options.schemas().isEmpty()) {
            Set<Integer> selected = new HashSet<>();
            DataPhasePlan.parseListing(listing(tocFile, options, "--section=data")).forEach(l -> selected.add(l.dumpId()));
            blocks = blocks.stream().filter(b -> selected.contains(b.dumpId())).toList();
        }
        List<BlockRef> feed = inArchiveOrder(blocks, source.toc());
        long total = feed.stream().mapToLong(BlockRef::length).sum();
        FedCounter counter = new FedCounter(options.progress(), total);
        runFedProcess(serialArgs(options), PROGRAM, out -> {
            try (InputStream in = Files.newInputStream(tocFile)) {
                pipe(in, out, null);
            }
            for (BlockRef b : feed) {
                feedBlock(source, b, out, counter);
            }
        });
        return total;
    }

    private void runWorkers(Path dir, Path tocFile, List<DataPhasePlan.Worker> plan, ArchiveSource source,
            RestoreOptions options, long total) throws IOException {
        if (plan.isEmpty()) {
            return;
        }
        FedCounter counter = new FedCounter(options.progress(), total);
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(plan.size(), r -> {
            Thread t = new Thread(r, "arca-restore-data-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<ToolProcess> processes = new ArrayList<>();
        List<Future<Void>> futures = new ArrayList<>();
        try {
            CompletionService<Void> done = new ExecutorCompletionService<>(pool);
            for (int i = 0; i < plan.size(); i++) {
                DataPhasePlan.Worker w = plan.get(i);
                Path list = dir.resolve("data-" + i + ".list");
                Files.write(list, w.list().stream().map(DataPhasePlan.ListLine::text).toList(), StandardCharsets.UTF_8);
                List<String> args = new ArrayList<>();
                args.add("--exit-on-error");
                args.add("--section=data");
                args.add("--use-list=" + list);
                args.addAll(options.selectionArgs());
                args.addAll(command.connectionArgs());
                ToolProcess p = command.builder(args).discardStdout().start();
                processes.add(p);
                String what = PROGRAM + " (data " + (i + 1) + " of " + plan.size() + ")";
                futures.add(done.submit(() -> {
                    feedAndWait(p, what, out -> {
                        try (InputStream in = Files.newInputStream(tocFile)) {
                            pipe(in, out, null);
                        }
                        for (BlockRef b : w.blocks()) {
                            feedBlock(source, b, out, counter);
                        }
                    });
                    return null;
                }));
            }
            Throwable first = null;
            for (int i = 0; i < futures.size(); i++) {
                Future<Void> f = done.take();
                try {
                    f.get();
                } catch (CancellationException e) {
                    // Cancelled after the first failure.
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause();
                        futures.forEach(other -> other.cancel(true));
                        processes.forEach(ToolProcess::destroy);
                    }
                }
            }
            if (first != null) {
                rethrow(first);
            }
        } catch (InterruptedException e) {
            processes.forEach(ToolProcess::destroy);
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while restoring data", null, e);
        } finally {
            pool.shutdownNow();
            processes.forEach(ToolProcess::destroy);
            try {
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            processes.forEach(ToolProcess::close);
        }
    }

    /** Writes what a process reads. */
    @FunctionalInterface
    private interface Feeder {
        void feed(OutputStream stdin) throws IOException;
    }

    /** A write to pg_restore's standard input failed: it has stopped reading, its exit says why. */
    private static final class PipeClosed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PipeClosed(IOException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private void runFedProcess(List<String> args, String what, Feeder feeder) throws IOException {
        ToolProcess p = command.builder(args).discardStdout().start();
        try {
            feedAndWait(p, what, feeder);
        } finally {
            p.destroy();
            p.close();
        }
    }

    /**
     * Feeds a process and waits for it. A failing source kills the process and wins; a closed
     * pipe yields to the process's own error.
     */
    private static void feedAndWait(ToolProcess p, String what, Feeder feeder) throws IOException {
        IOException pipeError = null;
        OutputStream stdin = p.stdin();
        try {
            feeder.feed(stdin);
        } catch (PipeClosed e) {
            pipeError = (IOException) e.getCause();
        } catch (IOException | RuntimeException | Error e) {
            p.destroy();
            throw e;
        }
        try {
            stdin.close();
        } catch (IOException e) {
            if (pipeError == null) {
                pipeError = e;
            }
        }
        waitForSuccess(p, what);
        if (pipeError != null) {
            throw new ArcaException(ErrorCode.TOOL_FAILED,
                    what + " stopped reading its input early: " + pipeError.getMessage(),
                    "run with --debug to see the full output", pipeError);
        }
    }

    private static void feedBlock(ArchiveSource source, BlockRef b, OutputStream out, FedCounter counter)
            throws IOException {
        long n;
        try (InputStream in = source.openBlock(b)) {
            n = pipe(in, out, counter);
        }
        if (n != b.length()) {
            throw ArchiveErrors.malformed("data block of entry " + b.dumpId() + " in the backup is " + n
                    + " bytes, " + b.length() + " were recorded");
        }
    }

    /** Copies {@code in} to {@code out}; write failures become {@link PipeClosed}. */
    private static long pipe(InputStream in, OutputStream out, FedCounter counter) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            try {
                out.write(buf, 0, n);
            } catch (IOException e) {
                throw new PipeClosed(e);
            }
            total += n;
            if (counter != null) {
                counter.add(n);
            }
        }
        return total;
    }

    /**
     * Waits for {@code pg_restore} and turns a failure into its classified error, naming the
     * part of the restore ({@code "pg_restore (pre-data) failed (exit 1): error: ..."}).
     */
    private static void waitForSuccess(ToolProcess p, String what) {
        int exit = p.waitFor();
        if (exit != 0) {
            List<String> lines = p.stderrLines();
            ArcaException e = ToolProcess.classify(PROGRAM, exit, lines);
            String message = e.getMessage();
            if (!what.equals(PROGRAM) && message.startsWith(PROGRAM + " ")) {
                message = what + message.substring(PROGRAM.length());
            }
            throw new ArcaException(e.code(), message, e.hint(),
                    new ToolProcess.Output(lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())));
        }
    }

    private static Map<Integer, BlockRef> blocksById(ArchiveSource source) {
        Map<Integer, BlockRef> map = new HashMap<>();
        for (BlockRef b : source.blocks()) {
            if (map.put(b.dumpId(), b) != null) {
                throw ArchiveErrors.malformed("backup records two data blocks for entry " + b.dumpId());
            }
        }
        return map;
    }

    private static List<BlockRef> inArchiveOrder(List<BlockRef> blocks, ArchiveToc toc) {
        Map<Integer, Integer> position = new HashMap<>();
        for (int i = 0; i < toc.entries().size(); i++) {
            position.put(toc.entries().get(i).dumpId(), i);
        }
        List<BlockRef> sorted = new ArrayList<>(blocks);
        sorted.sort(Comparator.comparingInt(b -> position.getOrDefault(b.dumpId(), Integer.MAX_VALUE)));
        return sorted;
    }

    private static void rethrow(Throwable t) throws IOException {
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new ArcaException(ErrorCode.INTERNAL, "restore worker failed: " + t, null, t);
    }

    /** Counts fed bytes across threads and reports them in order. */
    private static final class FedCounter {
        private final RestoreProgress progress;
        private final long total;
        private long fed;

        FedCounter(RestoreProgress progress, long total) {
            this.progress = progress;
            this.total = total;
        }

        synchronized void add(long n) {
            fed += n;
            progress.dataFed(fed, total);
        }

        synchronized long fed() {
            return fed;
        }
    }
}

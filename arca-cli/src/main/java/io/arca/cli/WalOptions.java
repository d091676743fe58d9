package io.arca.cli;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.physical.PgControl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** {@code --pgdata DIR}: the cluster whose WAL is archived or restored; its system identifier keys the archive. */
final class WalOptions {
    /** PostgreSQL's WAL segment size unless told otherwise (names only depend on it for counting). */
    static final long SEGMENT_SIZE = 16L << 20;

    @Option(names = "--pgdata", paramLabel = "DIR", defaultValue = "${env:PGDATA}",
            description = "The cluster's data directory (default: PGDATA, else the working directory, which is the"
                    + " data directory when PostgreSQL runs archive_command or restore_command).")
    Path pgdata;

    Path dataDirectory() {
        return pgdata != null ? pgdata : Path.of("").toAbsolutePath();
    }

    /** A path PostgreSQL passed (%p): relative to the data directory. */
    Path resolve(Path path) {
        return path.isAbsolute() ? path : dataDirectory().resolve(path);
    }

    /**
     * Runs {@code tasks} on up to {@code threads} threads and waits for all. A task that fails is
     * handed to {@code failed} and left to PostgreSQL, which asks for that file itself and gets the
     * error then.
     */
    static void inParallel(int threads, List<Callable<?>> tasks, Consumer<Throwable> failed) {
        if (tasks.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, tasks.size())));
        try {
            List<Future<?>> futures = new ArrayList<>();
            tasks.forEach(t -> futures.add(pool.submit(t)));
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failed.accept(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
    }

    /** The system identifier from {@code global/pg_control} (its first field, in the machine's byte order). */
    long systemId() {
        try {
            return PgControl.read(dataDirectory()).systemIdentifier();
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot read the system identifier from '"
                    + dataDirectory().resolve("global").resolve("pg_control") + "': " + e.getMessage(),
                    "run in the data directory (as archive_command does) or pass --pgdata DIR");
        }
    }
}

package io.arca.postgres.physical;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.LocalCluster;
import io.arca.postgres.local.ServerUser;
import io.arca.postgres.local.ToolProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts PostgreSQL on a restored data directory ({@code pg_ctl start}, logging to {@value
 * #LOG_FILE} in it) and follows recovery until it reached its end: promoted (the control file says
 * in production), paused at the target, or shut down at the target, as {@code
 * recovery_target_action} asks. When the JVM runs as root, the directory is given to the {@code
 * postgres} user first and the server runs as that user.
 *
 * <p>A {@code wal-fetch} that refused a segment (a damaged or foreign file) prints an {@code
 * ARCA-} error into the server log; PostgreSQL would take that as the end of the archive, so it is
 * reported as a failure even when the server promoted.
 */
final class RecoveryServer {
    /** The server log, inside the data directory. */
    static final String LOG_FILE = "arca-recovery.log";
    private static final int DB_SHUTDOWNED_IN_RECOVERY = 2;
    private static final int DB_IN_PRODUCTION = 6;

    /** How recovery ended. */
    record Outcome(String state, List<String> logTail) {
    }

    private RecoveryServer() {
    }

    static Outcome startAndWait(Path pgCtl, Path pgdata, List<Path> tablespaceDirs, List<String> serverOptions,
            String action, Duration timeout, Progress progress) {
        boolean asPostgres = ServerUser.jvmIsRoot();
        Path log = pgdata.resolve(LOG_FILE);
        try {
            if (asPostgres) {
                ServerUser.Owner owner = ServerUser.postgres();
                owner.chownTree(pgdata);
                for (Path t : tablespaceDirs) {
                    owner.chownTree(t);
                }
            }
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot give '" + pgdata + "' to the postgres user: "
                    + e.getMessage(), "run arca restore as the user that runs PostgreSQL", e);
        }
        List<String> args = new ArrayList<>(List.of("-D", pgdata.toString(), "-l", log.toString(), "-W"));
        if (!serverOptions.isEmpty()) {
            args.add("-o");
            args.add(String.join(" ", serverOptions));
        }
        args.add("start");
        ToolProcess p = ServerUser.command(pgCtl, asPostgres).args(args).noStdin().discardStdout().start();
        int exit = p.waitFor();
        if (exit != 0) {
            throw new ArcaException(ErrorCode.TOOL_FAILED, "pg_ctl start failed (exit " + exit + ") on '" + pgdata + "'",
                    "pg_ctl said:\n" + String.join("\n", p.stderrLines()));
        }
        progress.note("server started on " + pgdata + " (log " + log + "); waiting for recovery");
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastRestored = -1;
        boolean seenPid = false;
        while (true) {
            List<String> lines = readLog(log);
            Optional<String> arcaError = lines.stream().filter(l -> l.contains("code: ARCA-")
                    || l.startsWith("error: ")).findFirst();
            long restored = lines.stream().filter(l -> l.contains("restored log file")).count();
            if (restored != lastRestored) {
                progress.note("replayed " + restored + " archived WAL file" + (restored == 1 ? "" : "s"));
                lastRestored = restored;
            }
            int state = state(pgdata);
            Optional<Long> pid = LocalCluster.postmasterPid(pgdata);
            seenPid |= pid.isPresent();
            boolean running = pid.map(LocalCluster::isProcessRunning).orElse(false);
            if (arcaError.isPresent()) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "recovery could not use the WAL archive: "
                        + arcaError.get().trim(), "the server on '" + pgdata + "' may have stopped early; see " + log
                        + (running ? " (it is still running; stop it with pg_ctl -D " + pgdata + " stop)" : ""));
            }
            String status = postmasterStatus(pgdata);
            if (action.equals("promote") && state == DB_IN_PRODUCTION && running && status.equals("ready")) {
                // recovery is over: segments wal-fetch prefetched and recovery did not need
                io.arca.core.TempFiles.deleteQuietly(pgdata.resolve(io.arca.postgres.wal.WalArchive.DEFAULT_SPOOL));
                io.arca.core.TempFiles.deleteQuietly(pgdata.resolve(io.arca.postgres.wal.WalArchive.FETCH_TEMP));
                return new Outcome("promoted", tail(lines));
            }
            if (action.equals("pause") && running && !status.equals("starting")
                    && lines.stream().anyMatch(l -> l.contains("recovery has paused")
                    || l.contains("pausing at the end of recovery"))) {
                return new Outcome("paused", tail(lines));
            }
            if (!running && seenPid || !running && System.nanoTime() - deadline > 0) {
                boolean atTarget = lines.stream().anyMatch(l -> l.contains("shutdown at recovery target"));
                if (action.equals("shutdown") && (atTarget || state == DB_SHUTDOWNED_IN_RECOVERY)) {
                    return new Outcome("shut down at the target", tail(lines));
                }
                throw new ArcaException(ErrorCode.TOOL_FAILED, "PostgreSQL stopped during recovery on '" + pgdata + "': "
                        + lastFatal(lines), "server log (last lines):\n" + String.join("\n", tail(lines)));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ArcaException(ErrorCode.FAILURE, "recovery on '" + pgdata + "' did not finish within "
                        + timeout.toMinutes() + " min", "it is still running; follow it in " + log);
            }
            sleep();
        }
    }

    private static String lastFatal(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (l.contains("FATAL:") || l.contains("PANIC:")) {
                return l.substring(l.indexOf(l.contains("FATAL:") ? "FATAL:" : "PANIC:")).trim();
            }
        }
        return "no FATAL line in the log";
    }

    private static List<String> tail(List<String> lines) {
        return List.copyOf(lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static List<String> readLog(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The cluster state in {@code global/pg_control}, or -1 when unreadable. */
    static int state(Path pgdata) {
        try {
            return PgControl.read(pgdata).state();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * The postmaster's status, the 8th line of {@code postmaster.pid} (PostgreSQL 10+): {@code
     * starting}, {@code standby} (accepting read-only connections), {@code ready}, {@code stopping};
     * empty when unknown.
     */
    private static String postmasterStatus(Path pgdata) {
        try {
            List<String> lines = Files.readAllLines(pgdata.resolve("postmaster.pid"));
            return lines.size() >= 8 ? lines.get(7).trim() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while waiting for recovery", null, e);
        }
    }
}

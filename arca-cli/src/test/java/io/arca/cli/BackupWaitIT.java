package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup never waits without bound: a table another session holds exclusively and a server
 * that accepts TCP but never answers each end the backup within its timeout, with one line naming
 * what it waited for, and leave the repository free for {@code prune}. The backups run as
 * processes with a deadline, so that a wait without bound fails the test instead of hanging it.
 */
class BackupWaitIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    /** Far above each bound tested here, far below "forever". */
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @Test
    void aTableHeldExclusivelyFailsTheBackupNamingTheTableAndTheHolder(@TempDir Path dir) throws Exception {
        String db = PG.createDatabase("locked");
        PG.cluster().execute(db, "create table customers as select g as id from generate_series(1, 100) g",
                "create table orders as select g as id, g % 100 as customer from generate_series(1, 1000) g");
        Path repo = init(dir);
        try (Connection holder = PG.connect(db)) {
            holder.setAutoCommit(false);
            int pid;
            try (Statement st = holder.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            try (Statement st = holder.createStatement()) {
                st.execute("set application_name = 'nightly-migration'");
                st.execute("lock table orders in access exclusive mode");
            }
            long started = System.nanoTime();
            ArcaRun r = runBounded(dir, "backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), db),
                    "--lock-wait-timeout", "2s");
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(r.exit()).as(r.toString()).isEqualTo(ErrorCode.PG_LOCK_TIMEOUT.exitCode());
            assertThat(took).as("ended soon after the 2 s lock wait").isLessThan(Duration.ofSeconds(45));
            assertThat(r.err()).contains("error: pg_dump waited 2s for a lock on table 'public.orders'")
                    .contains("session pid " + pid + " (user 'postgres', application 'nightly-migration') holds an"
                            + " ACCESS EXCLUSIVE lock on table 'orders'")
                    .contains("hint: ").contains("pg_terminate_backend(" + pid + ")")
                    .contains("code: ARCA-" + ErrorCode.PG_LOCK_TIMEOUT.number());
            assertThat(r.err().lines().count()).as("no stack trace: " + r.err()).isLessThanOrEqualTo(4);

            // no manifest, no folder left behind, and prune is not blocked by a lease
            JsonNode list = RepositoryJson.mapper().readTree(ArcaRun.of("list", "--repo", repo.toString(), "-o", "json").out());
            assertThat(list).isEmpty();
            ArcaRun prune = ArcaRun.of("prune", "--repo", repo.toString(), "--keep-last", "1");
            assertThat(prune.exit()).as(prune.toString()).isZero();
            assertThat(prune.out()).doesNotContain("incomplete");
            holder.rollback();
        }
        // with the table free again the same command succeeds
        ArcaRun ok = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), db),
                "--lock-wait-timeout", "2s");
        assertThat(ok.exit()).as(ok.toString()).isZero();
    }

    @Test
    void aServerThatAcceptsButNeverAnswersExits14NamingHostAndPort(@TempDir Path dir) throws Exception {
        Path repo = init(dir);
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // and never a byte back
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            String where = "127.0.0.1:" + silent.getLocalPort();

            // pg_dump's snapshot session (JDBC), and Arca's own replication client for --physical
            for (String kind : new String[] {"--format=custom", "--physical"}) {
                long started = System.nanoTime();
                ArcaRun r = runBounded(dir, "backup", "--repo", repo.toString(), kind, "--db",
                        "postgresql://postgres:x@" + where + "/postgres?connect_timeout=2");
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(r.exit()).as(r.toString()).isEqualTo(14);
                assertThat(accepted).as("the server saw the connection").isNotEmpty();
                assertThat(took).as("ended soon after the 2 s connect timeout").isLessThan(Duration.ofSeconds(30));
                assertThat(r.err()).startsWith("error: cannot connect to PostgreSQL at '" + where + "': no answer"
                        + " within 2s (connect_timeout)").contains("hint: ").contains("?connect_timeout=SECONDS")
                        .contains("code: ARCA-" + ErrorCode.PG_CONNECTION.number());
                assertThat(r.err().lines().count()).as("no stack trace: " + r.err()).isLessThanOrEqualTo(3);
            }
            ArcaRun prune = ArcaRun.of("prune", "--repo", repo.toString(), "--keep-last", "1");
            assertThat(prune.exit()).as(prune.toString()).isZero();
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aLockWaitTimeoutOfZeroOrWithPhysicalIsAUsageError(@TempDir Path dir) {
        Path repo = init(dir);
        ArcaRun zero = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), "postgres"),
                "--lock-wait-timeout", "0s");
        assertThat(zero.exit()).as(zero.toString()).isEqualTo(2);
        assertThat(zero.err()).contains("invalid --lock-wait-timeout '0s'");
        ArcaRun physical = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), "postgres"),
                "--physical", "--lock-wait-timeout", "1m");
        assertThat(physical.exit()).as(physical.toString()).isEqualTo(2);
        assertThat(physical.err()).contains("--lock-wait-timeout cannot be combined with --physical");
    }

    private static Path init(Path dir) {
        Path repo = dir.resolve("repo");
        ArcaRun r = ArcaRun.of("init", "--repo", repo.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return repo;
    }

    /** Runs arca.jar, killing it (and failing) when it has not ended by {@link #DEADLINE}. */
    private static ArcaRun runBounded(Path dir, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "arca", ".log");
        Process p = ArcaProcess.start(Map.of(), log, args);
        boolean ended = p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log);
        assertThat(ended).as("arca %s ended within %s; output so far:%n%s", String.join(" ", args), DEADLINE, output)
                .isTrue();
        // the process's stdout and stderr share the log: a failing backup prints nothing on stdout
        return new ArcaRun(p.exitValue(), "", output);
    }
}

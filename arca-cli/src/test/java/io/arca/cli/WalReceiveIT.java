package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.Repository;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arca wal-receive} as a process: it archives each segment as it completes, SIGTERM makes
 * it archive the unfinished segment as partial and exit 0, a second run continues after the newest
 * complete segment, and after the server dies (pg_ctl stop -m immediate) the archive still holds
 * the WAL of the last commit, byte for byte as the server wrote it.
 */
class WalReceiveIT {
    private static final long SEG = 16L << 20;

    @TempDir
    Path dir;

    @Test
    void streamsSegmentsAndOnSigtermArchivesThePartialEvenAfterTheServerDied() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        try (LocalCluster pg = LocalCluster.start(ClusterOptions.defaults().withMajor(15).withFastAndUnsafe(true)
                .withSetting("wal_keep_size", "1GB"))) {
            long systemId = systemId(pg.dataDirectory());
            Map<String, String> env = Map.of("PGPASSWORD", pg.password());
            String[] args = {"wal-receive", "--db", pg.connectionUrl("postgres"), "--repo", repo.toString(),
                    "--spool", dir.resolve("spool").toString(), "--status-interval", "1s", "--verbose"};

            // 1. a complete segment while it runs, then SIGTERM with the server up: the partial, exit 0
            Path log1 = dir.resolve("run1.log");
            Process first = ArcaProcess.start(env, log1, args);
            awaitTrue(log1, "the start line", () -> read(log1).contains("receiving WAL of system "
                    + Long.toUnsignedString(systemId) + ", timeline 1, from "));
            assertThat(read(log1)).contains("(slot 'arca')");
            pg.execute("postgres", "create table t (id int, payload text)",
                    "insert into t select g, repeat('a', 100) from generate_series(1, 5000) g");
            Lsn switched = lsn(pg, "select pg_switch_wal()");
            WalFileName complete = WalFileName.segment(new TimelineId(1), switched.segment(SEG), SEG);
            awaitTrue(log1, complete + " archived", () -> read(log1).contains("archived " + complete.name() + "\n"));
            pg.execute("postgres", "insert into t select g, repeat('b', 100) from generate_series(1, 1000) g");
            Lsn committed1 = lsn(pg, "select pg_current_wal_insert_lsn()");
            awaitReceived(pg, committed1, log1);
            first.destroy();
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).as(read(log1)).isTrue();
            assertThat(first.exitValue()).as(read(log1)).isZero();
            WalFileName partial1 = partialName(committed1);
            assertThat(read(log1)).contains("archived " + partial1.name()).contains("stopped: WAL up to");
            assertPartialHolds(repo, pg, systemId, committed1);

            // 2. a new run continues after the newest complete segment (the partial's segment is streamed again)
            Path log2 = dir.resolve("run2.log");
            Process second = ArcaProcess.start(env, log2, args);
            awaitTrue(log2, "the start line", () -> read(log2).contains("receiving WAL of system"));
            assertThat(read(log2)).contains(", from " + new Lsn(committed1.segment(SEG) * SEG) + " ");
            pg.execute("postgres", "insert into t select g, repeat('c', 100) from generate_series(1, 2000) g");
            Lsn committed2 = lsn(pg, "select pg_current_wal_insert_lsn()");
            awaitReceived(pg, committed2, log2);
            // the server dies; wal-receive keeps what it received and tries to reconnect
            stopImmediately(pg);
            awaitTrue(log2, "the lost connection noticed", () -> read(log2).contains("lost the WAL stream from"));
            second.destroy();
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).as(read(log2)).isTrue();
            assertThat(second.exitValue()).as(read(log2)).isZero();
            assertThat(read(log2)).contains("archived " + partialName(committed2).name());
            // the commit before the crash is in the archive, as the server wrote it
            assertPartialHolds(repo, pg, systemId, committed2);
            List<String> names = new WalArchive(repository(repo), repository(repo).defaultCodec()).list(systemId).stream()
                    .map(a -> a.name().name()).toList();
            assertThat(names).contains(complete.name()).containsOnlyOnce(partialName(committed2).name());
        }
    }

    /** The archived partial of {@code lsn}'s segment holds the server's WAL up to {@code lsn}. */
    private void assertPartialHolds(Path repo, LocalCluster pg, long systemId, Lsn lsn) throws IOException {
        WalArchive archive = new WalArchive(repository(repo), repository(repo).defaultCodec());
        Path out = dir.resolve("fetched");
        assertThat(archive.fetch(systemId, partialName(lsn), out)).isTrue();
        byte[] partial = Files.readAllBytes(out);
        assertThat(partial).hasSize((int) SEG);
        byte[] server = Files.readAllBytes(pg.dataDirectory().resolve("pg_wal")
                .resolve(WalFileName.segment(new TimelineId(1), lsn.segment(SEG), SEG).name()));
        int valid = (int) (lsn.value() - lsn.segment(SEG) * SEG);
        assertThat(Arrays.copyOf(partial, valid)).isEqualTo(Arrays.copyOf(server, valid));
    }

    private static Repository repository(Path repo) {
        return Repository.open(new LocalFileStorage(repo), Clock.systemUTC());
    }

    private static WalFileName partialName(Lsn lsn) {
        return WalFileName.parse(WalFileName.segment(new TimelineId(1), lsn.segment(SEG), SEG).name() + ".partial", SEG);
    }

    /** Waits until the server has sent wal-receive everything up to {@code lsn} (what it reports having received). */
    private static void awaitReceived(LocalCluster pg, Lsn lsn, Path log) throws Exception {
        awaitTrue(log, "wal-receive received " + lsn, () -> {
            Lsn written = lsn(pg, "select write_lsn from pg_stat_replication where application_name = 'arca'");
            return written != null && written.compareTo(lsn) >= 0;
        });
    }

    /** pg_ctl stop -m immediate, as the postgres user when this runs as root (as LocalCluster runs it). */
    private static void stopImmediately(LocalCluster pg) throws Exception {
        String pgCtl = pg.binDirectory().resolve("pg_ctl").toString();
        List<String> command = "root".equals(System.getProperty("user.name"))
                ? List.of("runuser", "-u", "postgres", "--", pgCtl, "-D", pg.dataDirectory().toString(), "-m", "immediate",
                        "-w", "stop")
                : List.of(pgCtl, "-D", pg.dataDirectory().toString(), "-m", "immediate", "-w", "stop");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    private static Lsn lsn(LocalCluster pg, String sql) {
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select (" + sql + ")::text")) {
            return rs.next() && rs.getString(1) != null ? Lsn.parse(rs.getString(1)) : null;
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static long systemId(Path dataDirectory) throws IOException {
        byte[] control = Files.readAllBytes(dataDirectory.resolve("global").resolve("pg_control"));
        return ByteBuffer.wrap(control, 0, 8).order(ByteOrder.nativeOrder()).getLong();
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitTrue(Path log, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; wal-receive said:\n" + read(log));
            }
            Thread.sleep(100);
        }
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An RPO near zero without archive_command: a physical backup, {@code wal-receive} streaming
 * beside it, rows committed, the primary killed ({@code pg_ctl stop -m immediate}) and
 * wal-receive stopped; a restore from the repository alone holds those rows. Then damage: a flipped
 * byte in the stored base backup or in an archived WAL segment is caught by verify and by restore.
 */
class PhysicalStreamingIT {
    private static final Path PG_CTL = Path.of("/usr/lib/postgresql/15/bin/pg_ctl");

    @TempDir
    Path dir;

    @Test
    void rowsStreamedBeforeTheServerDiedAreRestoredAndDamageIsCaught() throws Exception {
        Path repo = ServerSide.openUp(dir.resolve("repo"));
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        ServerSide.openUp(repo);
        Path tmp = ServerSide.openUp(dir.resolve("tmp"));
        String password;
        try (LocalCluster pg = LocalCluster.start(ClusterOptions.defaults().withMajor(15).withFastAndUnsafe(true))) {
            password = pg.password();
            pg.execute("postgres", "create table t (id int primary key, phase text)",
                    "insert into t select g, 'before' from generate_series(1, 1000) g");
            ArcaRun backup = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(pg, "postgres"), "--repo",
                    repo.toString());
            assertThat(backup.exit()).as(backup.toString()).isZero();

            Path log = dir.resolve("wal-receive.log");
            Process receive = ArcaProcess.start(Map.of("PGPASSWORD", pg.password()), log, "wal-receive", "--db",
                    pg.connectionUrl("postgres"), "--repo", repo.toString(), "--status-interval", "1s", "--verbose");
            try {
                await(() -> Files.readString(log).contains("streaming timeline 1"), log);
                // a whole segment (switched) and then rows in the next one, which only the partial holds
                pg.execute("postgres", "insert into t select g, 'streamed' from generate_series(1001, 3000) g",
                        "select pg_switch_wal()",
                        "insert into t select g, 'last' from generate_series(3001, 3100) g");
                String committed = single(pg, "select pg_current_wal_insert_lsn()");
                // the walsender has sent it once the server says it flushed it to the receiver
                await(() -> sentUpTo(pg, committed), log);
                ServerSide.stopImmediately(PG_CTL, pg.dataDirectory());
            } finally {
                receive.destroy();
                assertThat(receive.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            }
            assertThat(receive.exitValue()).as(Files.readString(log)).isZero();
        }
        ServerSide.openUp(repo);

        Path pgdata = dir.resolve("restored");
        int port = ServerSide.freePort();
        try {
            // the packaged jar, with the restore_command it writes itself (prefetched segments moved by the shell)
            ArcaRun restore = ArcaProcess.run(Map.of(), "restore", "--physical", "latest", "--pgdata", pgdata.toString(),
                    "--repo", repo.toString(), "--start", "--start-timeout", "5m", "--server-option",
                    "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''");
            assertThat(restore.exit()).as(restore.toString()).isZero();
            assertThat(Files.readString(pgdata.resolve("postgresql.auto.conf"))).contains("arca-spool/%f %p; else");
            assertThat(pgdata.resolve("pg_wal/arca-spool")).doesNotExist();
            try (Connection c = ServerSide.connect(port, password); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select string_agg(phase || '=' || n, ' ' order by phase)"
                            + " from (select phase, count(*) n from t group by phase) x")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("before=1000 last=100 streamed=2000");
            }
        } finally {
            ServerSide.stopImmediately(PG_CTL, pgdata);
        }
        ArcaRun verify = ArcaRun.of("verify", "latest", "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();

        // a flipped byte in the stored base backup
        Path damagedBase = copy(repo, "repo-base");
        flipByte(only(damagedBase.resolve("backups"), "base.tar.zst"));
        ArcaRun badVerify = ArcaRun.of("verify", "latest", "--repo", damagedBase.toString());
        assertThat(badVerify.exit()).as(badVerify.toString()).isEqualTo(15);
        assertThat(badVerify.err()).contains("base.tar.zst");
        ArcaRun badRestore = ArcaRun.of("restore", "--physical", "latest", "--pgdata", dir.resolve("r2").toString(),
                "--repo", damagedBase.toString(), "--restore-command", "false");
        assertThat(badRestore.exit()).as(badRestore.toString()).isEqualTo(15);
        assertThat(dir.resolve("r2/recovery.signal")).doesNotExist();

        // a flipped byte in an archived WAL segment the recovery needs
        Path damagedWal = copy(repo, "repo-wal");
        Path segment;
        try (Stream<Path> s = Files.walk(damagedWal.resolve("wal"))) {
            segment = s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}-[0-9a-f]{64}\\.zst")).sorted()
                    .reduce((a, b) -> b).orElseThrow();
        }
        flipByte(segment);
        ArcaRun walVerify = ArcaRun.of("verify", "latest", "--repo", damagedWal.toString());
        assertThat(walVerify.exit()).as(walVerify.toString()).isEqualTo(15);
        assertThat(walVerify.err()).contains("WAL timeline 1");
        ServerSide.openUp(damagedWal);
        Path r3 = dir.resolve("r3");
        try {
            ArcaRun walRestore = ServerSide.restoreAndStart(damagedWal, tmp, r3, ServerSide.freePort());
            assertThat(walRestore.exit()).as(walRestore.toString()).isEqualTo(15);
            assertThat(walRestore.err()).contains("recovery could not use the WAL archive");
        } finally {
            ServerSide.stopImmediately(PG_CTL, r3);
        }
    }

    private static boolean sentUpTo(LocalCluster pg, String lsn) throws Exception {
        return "t".equals(single(pg, "select coalesce(bool_and(write_lsn >= '" + lsn + "'::pg_lsn), false)"
                + " from pg_stat_replication"));
    }

    private static String single(LocalCluster pg, String sql) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Path copy(Path repo, String name) throws Exception {
        Path to = dir.resolve(name);
        Process p = new ProcessBuilder("cp", "-a", repo.toString(), to.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        return to;
    }

    private static Path only(Path root, String suffix) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
            assertThat(found).hasSize(1);
            return found.get(0);
        }
    }

    private static void flipByte(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x5A;
        Files.write(file, b);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check check, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; wal-receive said:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }
}

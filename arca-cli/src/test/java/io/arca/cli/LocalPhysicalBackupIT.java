package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import io.arca.testkit.pg.ZonkyBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code backup --physical --pgdata}: the files read from the data directory itself, on every
 * PostgreSQL major from 13 to 18. The same cluster is backed up over the replication protocol and
 * from its files; both data directory tars must hold exactly the same members (the server's own
 * rules for what a base backup leaves out: unlogged and temporary relations, pg_wal, runtime
 * files), and the same for the tablespace. The file-read backup then restores, with its
 * tablespace moved, starts and holds every row; on PostgreSQL 15 it is also checked by hand with
 * {@code zstd}, {@code tar} and {@code pg_verifybackup} against the manifest Arca wrote. On a
 * cluster with data checksums, the pages pass PostgreSQL's checksum as Arca computes it, and one
 * damaged on disk fails the backup as it fails one over the replication protocol.
 */
class LocalPhysicalBackupIT {
    private static final Path PG15 = Path.of("/usr/lib/postgresql/15/bin");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("io.arca.cli.PhysicalVersionsIT#majors")
    void readsTheSameFilesTheServerSendsAndRestores(int major) throws Exception {
        Path repo = initRepository();
        Path bin = major == 15 ? PG15 : ZonkyBinaries.binDirectory(major);
        Path restored = dir.resolve("restored");
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withFastAndUnsafe(true)
                .withBinDirectory(bin))) {
            Path space = ServerSide.tablespaceDirectory(cluster);
            cluster.execute("postgres", "create tablespace extra location '" + space + "'",
                    "create table t (id int primary key, note text)",
                    "create table u (id int primary key) tablespace extra",
                    "create unlogged table scratch (id int)",
                    "insert into t select g, repeat('x', 200) from generate_series(1, 20000) g",
                    "insert into u select g from generate_series(1, 5000) g",
                    "insert into scratch select generate_series(1, 1000)",
                    "checkpoint");
            Path byProtocol;
            // a session's temporary table has files while the session lives; no backup holds them
            try (Connection session = cluster.connect("postgres"); Statement s = session.createStatement()) {
                s.execute("create temporary table session_only as select generate_series(1, 1000) id");
                ArcaRun protocol = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"),
                        "--repo", repo.toString(), "--label", "how=protocol");
                assertThat(protocol.exit()).as(protocol.toString()).isZero();
                byProtocol = only(backupDirectories(repo));
                ArcaRun files = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"),
                        "--repo", repo.toString(), "--pgdata", cluster.dataDirectory().toString(),
                        "--label", "how=files", "--verbose");
                assertThat(files.exit()).as(files.toString()).isZero();
                assertThat(files.out()).contains("complete: physical").contains("2 tablespaces");
                assertThat(files.err()).contains("reading the files from " + cluster.dataDirectory());
            }
            List<Path> backups = new ArrayList<>(backupDirectories(repo));
            backups.remove(byProtocol);
            Path byFiles = only(backups);
            Set<String> members = members(byFiles.resolve("base.tar.zst"));
            assertThat(members).isEqualTo(members(byProtocol.resolve("base.tar.zst")));
            assertThat(members).contains("backup_label", "tablespace_map", "global/pg_control", "pg_wal/",
                    "pg_wal/archive_status/", "pg_replslot/", "pg_tblspc/")
                    .noneMatch(m -> m.startsWith("pg_wal/0") || m.equals("postmaster.pid")
                            || m.matches("base/[0-9]+/t[0-9]+_[0-9]+.*") || m.startsWith("pg_tblspc/1"));
            String tablespaceTar = only(byFiles, "[0-9]+\\.tar\\.zst");
            assertThat(members(byFiles.resolve(tablespaceTar))).isEqualTo(members(byProtocol.resolve(tablespaceTar)))
                    .anyMatch(m -> m.startsWith("PG_" + major + "_"));

            ArcaRun verify = ArcaRun.of("verify", "latest", "--repo", repo.toString());
            assertThat(verify.exit()).as(verify.toString()).isZero();
            if (major == 15) {
                verifyByHand(byFiles);
            }

            int port = ServerSide.freePort();
            Path newSpace = dir.resolve("space-moved");
            Path tmp = ServerSide.openUp(dir.resolve("tmp"));
            ServerSide.openUp(repo);
            ArcaRun restore = ServerSide.restoreAndStart(repo, tmp, restored, port, "--pg-bin", bin.toString(),
                    "--tablespace-map", space + "=" + newSpace);
            assertThat(restore.exit()).as(restore.toString()).isZero();
            try (Connection c = ServerSide.connect(port, cluster.password()); Statement s = c.createStatement()) {
                ResultSet rs = s.executeQuery("select (select count(*) from t), (select count(*) from u),"
                        + " (select count(*) from scratch),"
                        + " (select pg_tablespace_location(oid) from pg_tablespace where spcname = 'extra')");
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(20000);
                assertThat(rs.getLong(2)).isEqualTo(5000);
                // an unlogged table comes back empty, as from any base backup
                assertThat(rs.getLong(3)).isZero();
                assertThat(rs.getString(4)).isEqualTo(newSpace.toString());
            }
        } finally {
            ServerSide.stopImmediately(bin.resolve("pg_ctl"), restored);
        }
    }

    @Test
    void rowsWrittenWhileTheFilesAreReadComeBackConsistent() throws Exception {
        Path repo = initRepository();
        Path restored = dir.resolve("restored");
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withFastAndUnsafe(true)
                .withDataChecksums(true))) {
            cluster.execute("postgres", "create extension amcheck",
                    "create table t (id bigint primary key, n int not null, pad text)",
                    "insert into t select g, 0, repeat('p', 200) from generate_series(1, 200000) g", "checkpoint");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong commits = new AtomicLong();
            AtomicReference<Exception> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
                    for (long r = 0; !stop.get(); r++) {
                        // pages all over the table change (and split) while they are read
                        s.execute("update t set n = n + 1 where id % 97 = " + r % 97);
                        s.execute("insert into t select 200000 + " + r + " * 100 + g, 0, repeat('q', 200)"
                                + " from generate_series(1, 100) g");
                        commits.incrementAndGet();
                    }
                } catch (Exception e) {
                    failure.set(e);
                }
            }, "writer");
            writer.start();
            long before;
            long after;
            ArcaRun backup;
            try {
                while (commits.get() < 3) {
                    Thread.sleep(20);
                }
                before = commits.get();
                backup = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"), "--repo",
                        repo.toString(), "--pgdata", cluster.dataDirectory().toString());
                after = commits.get();
            } finally {
                stop.set(true);
                writer.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(backup.exit()).as(backup.toString()).isZero();
            assertThat(after).as("commits while the backup ran").isGreaterThan(before);

            int port = ServerSide.freePort();
            Path tmp = ServerSide.openUp(dir.resolve("tmp"));
            ServerSide.openUp(repo);
            ArcaRun restore = ServerSide.restoreAndStart(repo, tmp, restored, port);
            assertThat(restore.exit()).as(restore.toString()).isZero();
            try (Connection c = ServerSide.connect(port, cluster.password()); Statement s = c.createStatement()) {
                // every heap tuple is in the index, and the index is sound
                s.execute("select bt_index_check('t_pkey', true)");
                ResultSet rs = s.executeQuery("select count(*), count(*) filter (where n > 0) from t");
                rs.next();
                assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(200000 + 100 * before);
                assertThat(rs.getLong(2)).isPositive();
            }
        } finally {
            ServerSide.stopImmediately(PG15.resolve("pg_ctl"), restored);
        }
    }

    @Test
    void withoutTablespacesTheMembersMatchToo() throws Exception {
        Path repo = initRepository();
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withFastAndUnsafe(true))) {
            cluster.execute("postgres", "create table t as select generate_series(1, 1000) id", "checkpoint");
            ArcaRun protocol = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"),
                    "--repo", repo.toString());
            assertThat(protocol.exit()).as(protocol.toString()).isZero();
            Path byProtocol = only(backupDirectories(repo));
            ArcaRun files = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"),
                    "--repo", repo.toString(), "--pgdata", cluster.dataDirectory().toString());
            assertThat(files.exit()).as(files.toString()).isZero();
            assertThat(files.out()).contains("1 tablespace)");
            List<Path> backups = new ArrayList<>(backupDirectories(repo));
            backups.remove(byProtocol);
            Path byFiles = only(backups);
            // tablespace_map too, empty
            assertThat(members(byFiles.resolve("base.tar.zst"))).isEqualTo(members(byProtocol.resolve("base.tar.zst")))
                    .contains("tablespace_map", "backup_label");
        }
    }

    @Test
    void aDamagedDataPageFailsTheBackupAsItDoesOverTheProtocol() throws Exception {
        Path repo = initRepository();
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withFastAndUnsafe(true)
                .withDataChecksums(true))) {
            // frozen and flushed: no hint bit left to set, so no checkpoint rewrites the page damaged below
            cluster.execute("postgres", "create table t as select g id, repeat('x', 100) pad from generate_series(1, 20000) g",
                    "vacuum freeze t", "checkpoint");
            // undamaged, every page passes: the checksum is PostgreSQL's own
            ArcaRun good = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"), "--repo",
                    repo.toString(), "--pgdata", cluster.dataDirectory().toString(), "--verbose");
            assertThat(good.exit()).as(good.toString()).isZero();
            java.util.regex.Matcher passed = java.util.regex.Pattern.compile("; ([0-9]+) data pages passed their checksum")
                    .matcher(good.err());
            assertThat(passed.find()).as(good.err()).isTrue();
            assertThat(Long.parseLong(passed.group(1))).isGreaterThan(300);

            String file;
            try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select pg_relation_filepath('t')")) {
                rs.next();
                file = rs.getString(1);
            }
            // one byte of block 3's tuples, on disk only: the server's buffer keeps the good page
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(cluster.dataDirectory().resolve(file).toFile(),
                    "rw")) {
                f.seek(3 * 8192 + 5000);
                int b = f.read();
                f.seek(3 * 8192 + 5000);
                f.write(b ^ 0x5A);
            }
            ArcaRun bad = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"), "--repo",
                    repo.toString(), "--pgdata", cluster.dataDirectory().toString());
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(15);
            assertThat(bad.err()).contains("checksum verification failed in 1 data page (" + file + " block 3:");
            ArcaRun overProtocol = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"), "--repo",
                    repo.toString());
            assertThat(overProtocol.exit()).as(overProtocol.toString()).isNotZero();
            assertThat(overProtocol.err()).contains("checksum");
            assertThat(backupDirectories(repo)).hasSize(1);
        }
    }

    @Test
    void refusesADataDirectoryOfAnotherCluster() throws Exception {
        Path repo = initRepository();
        ClusterOptions options = ClusterOptions.defaults().withFastAndUnsafe(true);
        try (LocalCluster one = LocalCluster.start(options); LocalCluster other = LocalCluster.start(options)) {
            ArcaRun wrong = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(one, "postgres"), "--repo",
                    repo.toString(), "--pgdata", other.dataDirectory().toString());
            assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(2);
            assertThat(wrong.err()).contains("is the data directory of system").contains("give --pgdata");
            ArcaRun none = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(one, "postgres"), "--repo",
                    repo.toString(), "--pgdata", dir.resolve("nothing").toString());
            assertThat(none.exit()).as(none.toString()).isEqualTo(2);
            assertThat(none.err()).contains("is not a PostgreSQL data directory");
            ArcaRun logical = ArcaRun.of("backup", "--db", ArcaRun.url(one, "postgres"), "--repo", repo.toString(),
                    "--pgdata", one.dataDirectory().toString());
            assertThat(logical.exit()).as(logical.toString()).isEqualTo(2);
            assertThat(logical.err()).contains("--pgdata needs --physical");
            ArcaRun list = ArcaRun.of("list", "--repo", repo.toString());
            assertThat(list.exit()).isZero();
            assertThat(list.out()).doesNotContain("physical");
        }
    }

    /** An empty repository the server's user may read too. */
    private Path initRepository() throws java.io.IOException {
        Path repo = ServerSide.openUp(dir.resolve("repo"));
        ArcaRun init = ArcaRun.of("init", "--repo", repo.toString());
        assertThat(init.exit()).as(init.toString()).isZero();
        return repo;
    }

    /** The documented way out: zstd, tar and pg_verifybackup against the manifest Arca wrote. */
    private void verifyByHand(Path backup) throws Exception {
        Path out = Files.createDirectories(dir.resolve("by-hand"));
        String script = "set -euo pipefail; cd " + out + "; zstd -dc " + backup.resolve("base.tar.zst")
                + " | tar -xf -; zstd -dc " + backup.resolve("backup_manifest.zst") + " > backup_manifest; "
                + "oid=$(ls " + backup + " | sed -n 's/^\\([0-9]*\\)\\.tar\\.zst$/\\1/p'); mkdir -p ../space-by-hand; "
                + "zstd -dc " + backup + "/$oid.tar.zst | tar -xf - -C ../space-by-hand; "
                + "ln -s " + dir.resolve("space-by-hand") + " pg_tblspc/$oid; "
                + PG15.resolve("pg_verifybackup") + " -n .";
        Path log = dir.resolve("by-hand.log");
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("backup successfully verified");
    }

    /** The backups' directories, oldest first. */
    private static List<Path> backupDirectories(Path repo) throws Exception {
        try (Stream<Path> s = Files.walk(repo.resolve("backups"))) {
            return s.filter(p -> Files.exists(p.resolve("base.tar.zst"))).sorted().toList();
        }
    }

    private static Path only(List<Path> paths) {
        assertThat(paths).hasSize(1);
        return paths.get(0);
    }

    private static String only(Path backup, String regex) throws Exception {
        try (Stream<Path> s = Files.list(backup)) {
            List<String> found = s.map(p -> p.getFileName().toString()).filter(n -> n.matches(regex)).toList();
            assertThat(found).hasSize(1);
            return found.get(0);
        }
    }

    /** The member names of a stored tar ({@code zstd -dc | tar -t}), directories with a trailing slash. */
    private static Set<String> members(Path tarZst) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "set -o pipefail; zstd -dc '" + tarZst + "' | tar -tf -")
                .redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(listing).isZero();
        return listing.lines().map(l -> l.startsWith("./") ? l.substring(2) : l)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}

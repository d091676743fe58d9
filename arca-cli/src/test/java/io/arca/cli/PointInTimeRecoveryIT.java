package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Point-in-time recovery end to end on a real PostgreSQL 15 that archives through {@code arca
 * wal-push}: rows are committed in four phases around a physical backup, a time, an LSN and a named
 * restore point; restoring to each target (servers started by {@code restore --physical --start})
 * yields exactly the rows committed before it. The recovery promoted at the time target runs on
 * timeline 2 and archives it; a second recovery follows that timeline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// the time target's recovery promotes onto a new timeline, which later recoveries would follow: it goes last
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointInTimeRecoveryIT {
    private ArchivingCluster archiving;
    private Path dir;
    private Path repo;
    private Path tmp;
    private LocalCluster cluster;
    private String password;
    private String backupId;
    private Instant targetTime;
    private String targetLsn;
    private List<Path> restored;

    @BeforeAll
    void archiveBackUpAndCommitAroundTargets() throws Exception {
        archiving = ArchivingCluster.start("arca-pitr-");
        dir = archiving.dir;
        repo = archiving.repo;
        tmp = archiving.tmp;
        cluster = archiving.cluster;
        restored = archiving.restored;
        password = cluster.password();
        cluster.execute("postgres", "create table t (id int primary key, phase text not null)",
                "insert into t select g, 'a' from generate_series(1, 100) g");
        ArcaRun backup = archiving.backUp();
        assertThat(backup.out()).contains("physical");
        backupId = backup.out().replaceAll("(?s).*backup (\\S+) complete.*", "$1");

        cluster.execute("postgres", "insert into t select g, 'b' from generate_series(101, 200) g");
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("select pg_current_wal_insert_lsn()");
            rs.next();
            targetLsn = rs.getString(1);
        }
        Thread.sleep(300);
        targetTime = Instant.now();
        Thread.sleep(300);
        cluster.execute("postgres", "insert into t select g, 'c' from generate_series(201, 300) g",
                "select pg_create_restore_point('before_d')",
                "insert into t select g, 'd' from generate_series(301, 400) g");
        switchAndAwaitArchived(cluster);
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (archiving != null) {
            archiving.close();
        }
    }

    @Test
    @Order(2)
    void restoringToANamedRestorePointYieldsExactlyTheRowsBeforeIt() throws Exception {
        int port = ServerSide.freePort();
        ArcaRun r = restore("by-name", port, "--target-name", "before_d", "--target-action", "pause");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("paused");
        assertThat(phases(port)).isEqualTo("a=100 b=100 c=100");
    }

    @Test
    @Order(3)
    void restoringToAnLsnYieldsExactlyTheRowsBeforeIt() throws Exception {
        int port = ServerSide.freePort();
        ArcaRun r = restore("by-lsn", port, "--target-lsn", targetLsn, "--target-action", "pause");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(phases(port)).isEqualTo("a=100 b=100");
    }

    @Test
    @Order(4)
    void restoringToATimePromotesOntoANewTimelineThatIsArchivedAndCanBeRecoveredAgain() throws Exception {
        int port = ServerSide.freePort();
        // --archive: this promotion is the failover, which keeps archiving into the repository
        ArcaRun r = restore("by-time", port, "--target-time", targetTime.toString(), "--archive");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("promoted");
        assertThat(phases(port)).isEqualTo("a=100 b=100");

        // the promoted server writes on a new timeline and archives it into the same repository
        int timeline;
        try (Connection c = ServerSide.connect(port, password); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("select timeline_id from pg_control_checkpoint()");
            rs.next();
            timeline = rs.getInt(1);
            s.execute("insert into t select g, 'e' from generate_series(1001, 1050) g");
            s.execute("select pg_switch_wal()");
        }
        assertThat(timeline).isGreaterThan(1);
        Path folder = repo.resolve("wal").resolve(systemId()).resolve(String.format("%08X", timeline));
        awaitFiles(folder, 2);

        // a recovery to the end of the archive follows the new timeline
        ServerSide.stopImmediately(ArchivingCluster.PG_CTL, dir.resolve("by-time"));
        int port2 = ServerSide.freePort();
        ArcaRun again = restore("latest-after-promotion", port2);
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(phases(port2)).isEqualTo("a=100 b=100 e=50");
    }

    @Test
    @Order(1)
    void aNonEmptyDataDirectoryIsRefusedWithoutDeltaOrForce() throws Exception {
        Path pgdata = Files.createDirectories(dir.resolve("occupied"));
        Files.writeString(pgdata.resolve("keep-me"), "precious");
        ArcaRun r = ArcaRun.of("restore", "--physical", "latest", "--pgdata", pgdata.toString(), "--repo",
                repo.toString(), "--restore-command", "false");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("is not empty").contains("--delta").contains("--force");
        assertThat(Files.readString(pgdata.resolve("keep-me"))).isEqualTo("precious");

        ArcaRun forced = ArcaRun.of("restore", "--physical", "latest", "--pgdata", pgdata.toString(), "--repo",
                repo.toString(), "--restore-command", "false", "--force");
        assertThat(forced.exit()).as(forced.toString()).isZero();
        assertThat(pgdata.resolve("keep-me")).doesNotExist();
        assertThat(pgdata.resolve("recovery.signal")).exists();
        assertThat(Files.readString(pgdata.resolve("postgresql.auto.conf"))).contains("restore_command = 'false'");

        // delta: the same backup again keeps every file and puts back a damaged one
        Files.writeString(pgdata.resolve("PG_VERSION"), "14\n");
        ArcaRun delta = ArcaRun.of("restore", "--physical", "latest", "--pgdata", pgdata.toString(), "--repo",
                repo.toString(), "--restore-command", "false", "--delta");
        assertThat(delta.exit()).as(delta.toString()).isZero();
        assertThat(Files.readString(pgdata.resolve("PG_VERSION"))).isEqualTo("15\n");
        // PG_VERSION and postgresql.auto.conf (rewritten always: the recovery settings go into it) written, the rest kept
        assertThat(delta.out()).contains("2 files written").containsPattern("[0-9]{3} kept");
    }

    @Test
    @Order(5)
    void verifyChecksTheBackupAndTheWalFromItsStart() {
        ArcaRun v = ArcaRun.of("verify", backupId, "--repo", repo.toString());
        assertThat(v.exit()).as(v.toString()).isZero();
        assertThat(v.out()).contains("files against backup_manifest").contains("WAL timeline 1").contains("continuity");
        ArcaRun show = ArcaRun.of("show", backupId, "--repo", repo.toString());
        assertThat(show.exit()).as(show.toString()).isZero();
        assertThat(show.out()).contains("kind        physical").contains("timeline    1").contains("stream")
                .contains("CRC32C per file in backup_manifest").contains("base.tar.zst");
        ArcaRun list = ArcaRun.of("list", "--repo", repo.toString());
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains("recoverable").contains("timeline 1");
    }

    @Test
    @Order(6)
    void aLogicalRestoreDrillOrCopyNeverTakesAPhysicalBackup() {
        ArcaRun byId = ArcaRun.of("restore", backupId, "--to", ArcaRun.url(cluster, "postgres"), "--repo", repo.toString());
        assertThat(byId.exit()).isEqualTo(2);
        assertThat(byId.err()).contains("is a physical backup").contains("--physical");
        ArcaRun twoRepos = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"), "--repo",
                repo.toString(), "--repo", dir.resolve("elsewhere").toString());
        assertThat(twoRepos.exit()).isEqualTo(2);
        assertThat(twoRepos.err()).contains("one repository");
        assertThat(ArcaRun.of("init", "--repo", dir.resolve("elsewhere").toString()).exit()).isZero();
        ArcaRun copy = ArcaRun.of("copy", backupId, "--from", repo.toString(), "--to", dir.resolve("elsewhere").toString());
        assertThat(copy.exit()).isEqualTo(2);
        assertThat(copy.err()).contains("is physical");
        ArcaRun latest = ArcaRun.of("drill", "latest", "--repo", repo.toString());
        assertThat(latest.exit()).isEqualTo(1);
        assertThat(latest.err()).contains("no complete logical backup");
    }

    @Test
    @Order(7)
    void aBackupCanWaitForArchiveCommandInsteadOfStreamingItsWal() {
        ArcaRun backup = ArcaRun.of("backup", "--physical", "--wal", "archive", "--archive-timeout", "2m", "--db",
                ArcaRun.url(cluster, "postgres"), "--repo", repo.toString());
        assertThat(backup.exit()).as(backup.toString()).isZero();
        String id = backup.out().replaceAll("(?s).*backup (\\S+) complete.*", "$1");
        ArcaRun show = ArcaRun.of("show", id, "--repo", repo.toString());
        assertThat(show.out()).contains(", archive)");
        ArcaRun verify = ArcaRun.of("verify", id, "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();
    }

    @Test
    @Order(8)
    void pruneRemovesTheWalThatNoKeptPhysicalBackupNeeds() throws Exception {
        ArcaRun list = ArcaRun.of("list", "--repo", repo.toString(), "-o", "json");
        List<String> physical = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\" : \"([^\"]+)\"").matcher(list.out());
        while (m.find()) {
            physical.add(m.group(1));
        }
        assertThat(physical).as(list.out()).hasSizeGreaterThanOrEqualTo(2);
        // backup ids sort by their start time
        String newest = physical.stream().max(String::compareTo).orElseThrow();
        String keepFrom = ArcaRun.of("show", newest, "--repo", repo.toString(), "-o", "json").out()
                .replaceAll("(?s).*\"startWal\" : \"([0-9A-F]{24})\".*", "$1");
        Path timeline1 = repo.resolve("wal").resolve(systemId()).resolve("00000001");
        assertThat(walFiles(timeline1).stream().filter(f -> f.compareTo(keepFrom) < 0)).as("WAL before the newest backup")
                .isNotEmpty();

        ArcaRun dry = ArcaRun.of("prune", "--keep-last", "1", "--dry-run", "--repo", repo.toString());
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).containsPattern("would remove [1-9][0-9]* archived WAL files of system " + systemId()
                + " before " + keepFrom);
        ArcaRun prune = ArcaRun.of("prune", "--keep-last", "1", "--repo", repo.toString());
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(prune.out()).contains("removed ").contains("archived WAL files of system " + systemId() + " before " + keepFrom);
        assertThat(walFiles(timeline1)).as("nothing before the kept backup's start").allMatch(f -> f.compareTo(keepFrom) >= 0)
                .anyMatch(f -> f.startsWith(keepFrom));
        // timeline 2's history (from the promotion above) stays, and the kept backup still verifies, WAL included
        assertThat(walFiles(repo.resolve("wal").resolve(systemId()).resolve("00000002"))).anyMatch(f -> f.startsWith("00000002.history"));
        ArcaRun verify = ArcaRun.of("verify", newest, "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();
    }

    private static List<String> walFiles(Path folder) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private ArcaRun restore(String name, int port, String... more) throws IOException {
        Path pgdata = dir.resolve(name);
        restored.add(pgdata);
        return ServerSide.restoreAndStart(repo, tmp, pgdata, port, more);
    }

    /** Rows per phase, e.g. {@code a=100 b=100}. */
    private String phases(int port) throws Exception {
        try (Connection c = ServerSide.connect(port, password); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select string_agg(phase || '=' || n, ' ' order by phase)"
                        + " from (select phase, count(*) n from t group by phase) x")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String systemId() throws Exception {
        return archiving.systemId();
    }

    /** Switches to a new segment and waits until the one it closed is in the repository. */
    private void switchAndAwaitArchived(LocalCluster cluster) throws Exception {
        String segment;
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("select pg_walfile_name(pg_switch_wal())");
            rs.next();
            segment = rs.getString(1);
        }
        ServerSide.awaitArchived(repo.resolve("wal").resolve(systemId()).resolve(segment.substring(0, 8)), segment);
    }

    private static void awaitFiles(Path folder, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> s = Files.list(folder)) {
                    if (s.count() >= atLeast) {
                        return;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("fewer than " + atLeast + " files in " + folder + " after 120 s");
    }
}

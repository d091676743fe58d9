package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A physical restore never does what nobody asked: a mistyped {@code --pgdata} is refused instead
 * of created, and a copy restored and promoted for a test does not archive into the source's WAL
 * archive (the backup carries the source's {@code archive_command}) unless {@code --archive} says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PhysicalRestoreSafetyIT {
    private static final Path PG_CTL = Path.of("/usr/lib/postgresql/15/bin/pg_ctl");

    private Path dir;
    private Path repo;
    private Path tmp;
    private LocalCluster cluster;
    private final List<Path> restored = new ArrayList<>();

    @BeforeAll
    void archiveAndBackUp() throws Exception {
        dir = Files.createTempDirectory("arca-restore-safety-");
        repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        ServerSide.openUp(repo);
        tmp = ServerSide.openUp(dir.resolve("tmp"));
        cluster = LocalCluster.start(ClusterOptions.defaults().withMajor(15).withFastAndUnsafe(true)
                .withSetting("archive_mode", "on")
                .withSetting("archive_command", ServerSide.arcaCommand(tmp) + " wal-push %p --repo " + repo));
        cluster.execute("postgres", "create table t (id int primary key)", "insert into t select generate_series(1, 10)");
        Files.createDirectories(repo.resolve("wal").resolve(systemId()).resolve("00000001"));
        ServerSide.openUp(repo);
        ArcaRun backup = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"), "--repo",
                repo.toString());
        assertThat(backup.exit()).as(backup.toString()).isZero();
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (Path p : restored) {
            ServerSide.stopImmediately(PG_CTL, p);
        }
        if (cluster != null) {
            cluster.close();
        }
        io.arca.core.TempFiles.deleteQuietly(dir);
    }

    @Test
    void aPgdataWhoseParentDoesNotExistIsRefusedAndNotCreated() {
        Path typo = dir.resolve("nonexistent").resolve("x").resolve("pgdata");
        ArcaRun r = ArcaRun.of("restore", "--physical", "latest", "--pgdata", typo.toString(), "--repo", repo.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).doesNotContain("restored");
        assertThat(r.err().lines().findFirst().orElse("")).startsWith("error: --pgdata '" + typo + "'")
                .contains("'" + typo.getParent() + "' does not exist");
        assertThat(dir.resolve("nonexistent")).doesNotExist();
    }

    @Test
    void aRestoredCopyThatPromotesDoesNotArchiveIntoTheSourcesArchive() throws Exception {
        int port = ServerSide.freePort();
        Path pgdata = dir.resolve("copy");
        restored.add(pgdata);
        ArcaRun r = ServerSide.restoreAndStart(repo, tmp, pgdata, port);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("promoted");
        try (Connection c = ServerSide.connect(port, cluster.password()); Statement s = c.createStatement()) {
            assertThat(value(s, "show archive_mode")).isEqualTo("off");
            assertThat(Integer.parseInt(value(s, "select timeline_id from pg_control_checkpoint()"))).isGreaterThan(1);
            s.execute("insert into t select generate_series(11, 20)");
            s.execute("select pg_switch_wal()");
            s.execute("checkpoint");
            assertThat(value(s, "select archived_count + failed_count from pg_stat_archiver")).isEqualTo("0");
        }
        // the source's archive holds its own timeline only
        try (var folders = Files.list(repo.resolve("wal").resolve(systemId()))) {
            assertThat(folders.map(p -> p.getFileName().toString()).toList()).containsExactly("00000001");
        }
    }

    private static String value(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String systemId() throws Exception {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select system_identifier from pg_control_system()")) {
            rs.next();
            return Long.toUnsignedString(rs.getLong(1));
        }
    }
}

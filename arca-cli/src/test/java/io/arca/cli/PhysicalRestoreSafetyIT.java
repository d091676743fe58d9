package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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
    private ArchivingCluster archiving;
    private Path dir;
    private Path repo;
    private Path tmp;
    private LocalCluster cluster;
    private List<Path> restored;

    @BeforeAll
    void archiveAndBackUp() throws Exception {
        archiving = ArchivingCluster.start("arca-restore-safety-");
        dir = archiving.dir;
        repo = archiving.repo;
        tmp = archiving.tmp;
        cluster = archiving.cluster;
        restored = archiving.restored;
        cluster.execute("postgres", "create table t (id int primary key)", "insert into t select generate_series(1, 10)");
        archiving.backUp();
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (archiving != null) {
            archiving.close();
        }
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
        return archiving.systemId();
    }
}

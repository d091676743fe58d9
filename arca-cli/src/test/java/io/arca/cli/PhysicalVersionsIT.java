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
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A physical backup and restore through Arca's own replication client on every PostgreSQL major
 * from 13 to 18 (Debian's 15, the others from the zonky binaries): the base backup with a user
 * tablespace and the WAL streamed beside it, more rows archived by {@code archive_command = 'arca
 * wal-push %p'}, then a restore with the tablespace moved, started and recovered to the end of the
 * archive, holds every row.
 */
class PhysicalVersionsIT {

    @TempDir
    Path dir;

    private static String systemId(LocalCluster cluster) throws Exception {
        return Long.toUnsignedString(Long.parseLong(query(cluster, "select system_identifier from pg_control_system()")));
    }

    /** Switches WAL segments and returns the name of the segment it closed. */
    private static String lastSegment(LocalCluster cluster) throws Exception {
        return query(cluster, "select pg_walfile_name(pg_switch_wal())");
    }

    private static String query(LocalCluster cluster, String sql) throws Exception {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static List<Integer> majors() {
        List<Integer> majors = new ArrayList<>(ZonkyBinaries.majors());
        majors.add(15);
        return majors.stream().sorted().toList();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void backsUpAndRestoresWithATablespace(int major) throws Exception {
        Path repo = ServerSide.openUp(dir.resolve("repo"));
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        ServerSide.openUp(repo);
        Path tmp = ServerSide.openUp(dir.resolve("tmp"));
        ClusterOptions options = ClusterOptions.defaults().withFastAndUnsafe(true);
        Path bin = major == 15 ? Path.of("/usr/lib/postgresql/15/bin") : ZonkyBinaries.binDirectory(major);
        options = options.withBinDirectory(bin).withSetting("archive_mode", "on")
                .withSetting("archive_command", ServerSide.arcaCommand(tmp) + " wal-push %p --repo " + repo);
        Path restored = dir.resolve("restored");
        try (LocalCluster cluster = LocalCluster.start(options)) {
            Path space = ServerSide.tablespaceDirectory(cluster);
            cluster.execute("postgres", "create tablespace extra location '" + space + "'",
                    "create table t (id int primary key, note text)",
                    "create table u (id int primary key) tablespace extra",
                    "insert into t select g, repeat('x', 200) from generate_series(1, 20000) g",
                    "insert into u select g from generate_series(1, 5000) g");

            // this (root) JVM streams the backup's WAL into the folder archive_command writes into too
            Files.createDirectories(repo.resolve("wal").resolve(systemId(cluster)).resolve("00000001"));
            ServerSide.openUp(repo);
            ArcaRun backup = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"), "--repo",
                    repo.toString());
            assertThat(backup.exit()).as(backup.toString()).isZero();
            // after the backup: rows in segments that archive_command (wal-push, several per call) archives
            cluster.execute("postgres", "insert into t select g, repeat('y', 200) from generate_series(20001, 21000) g",
                    "select pg_switch_wal()", "insert into u select g from generate_series(5001, 5100) g");
            String last = lastSegment(cluster);
            ServerSide.awaitArchived(repo.resolve("wal").resolve(systemId(cluster)).resolve("00000001"), last);
            ArcaRun verify = ArcaRun.of("verify", "latest", "--repo", repo.toString());
            assertThat(verify.exit()).as(verify.toString()).isZero();

            int port = ServerSide.freePort();
            Path newSpace = dir.resolve("space-moved");
            ArcaRun restore = ServerSide.restoreAndStart(repo, tmp, restored, port, "--pg-bin", bin.toString(),
                    "--tablespace-map", space + "=" + newSpace);
            assertThat(restore.exit()).as(restore.toString()).isZero();
            assertThat(restore.out()).contains("promoted");
            try (Connection c = ServerSide.connect(port, cluster.password()); Statement s = c.createStatement()) {
                ResultSet rs = s.executeQuery("select (select count(*) from t), (select count(*) from u),"
                        + " (select pg_tablespace_location(oid) from pg_tablespace where spcname = 'extra'),"
                        + " current_setting('server_version_num')::int / 10000");
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(21000);
                assertThat(rs.getLong(2)).isEqualTo(5100);
                assertThat(rs.getString(3)).isEqualTo(newSpace.toString());
                assertThat(rs.getInt(4)).isEqualTo(major);
            }
            try (Stream<Path> s = Files.list(newSpace)) {
                assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("PG_" + major + "_"));
            }
        } finally {
            ServerSide.stopImmediately(bin.resolve("pg_ctl"), restored);
        }
    }
}

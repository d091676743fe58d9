package io.arca.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import io.arca.postgres.replication.ReplicationFixtures.CreatedTablespace;
import io.arca.postgres.replication.ReplicationFixtures.ReceivedBackup;
import io.arca.testkit.pg.ZonkyBinaries;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same base backup on every other server version there are binaries for: 13 and 14 use the
 * old protocol (a COPY stream per archive, tars without end blocks), 16 to 18 the new one.
 */
class BaseBackupVersionsIT {

    @TempDir
    Path work;

    static List<Integer> majors() {
        return ZonkyBinaries.majors().stream().filter(m -> m != 15).toList();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void baseBackupWithTablespaceAndManifest(int major) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults()
                .withBinDirectory(ZonkyBinaries.binDirectory(major)).withFastAndUnsafe(true))) {
            assertThat(cluster.major()).isEqualTo(major);
            CreatedTablespace ts = ReplicationFixtures.createTablespaceWithData(cluster, "ts_v" + major);
            try (ReplicationConnection c = ReplicationConnection.open(cluster.connectionSettings("postgres"))) {
                assertThat(c.serverVersionNum() / 10000).isEqualTo(major);
                assertThat(Long.toUnsignedString(c.identifySystem().systemId())).isEqualTo(
                        ReplicationFixtures.queryOne(cluster, "SELECT system_identifier FROM pg_control_system()"));
                ReceivedBackup r;
                try (BaseBackup b = c.startBaseBackup(new BaseBackupRequest("v" + major, true, false, "SHA256", false))) {
                    assertThat(b.timeline()).isEqualTo(new TimelineId(1));
                    r = ReplicationFixtures.receive(b, work.resolve("parts"));
                }
                System.out.println("PostgreSQL " + major + ": parts " + r.names() + ", tablespaces "
                        + r.backup().tablespaces());
                // pg_verifybackup 15 reads manifest version 1, which servers up to 16 write.
                BaseBackupAssertions.assertCompleteBackup(r, ts, "v" + major, c.serverVersionNum(), work, major <= 16);
                if (major < 15) {
                    // The old protocol sends the archives in tablespace-list order, the main directory last.
                    assertThat(r.names()).containsExactly(ts.oid() + ".tar", "base.tar", "backup_manifest");
                    assertThat(r.backup().tablespaces().get(1).isMain()).isTrue();
                }
                assertThat(c.identifySystem().xlogPos()).isGreaterThanOrEqualTo(r.end().stopLsn());
            }
            ReplicationFixtures.stopAndWait(cluster);
        }
    }
}

package io.arca.testkit.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every configured zonky server starts through LocalCluster and is the version it claims. */
class ZonkyBinariesIT {

    static java.util.List<Integer> majors() {
        return ZonkyBinaries.majors();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void startsTheConfiguredVersion(int major) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults()
                .withBinDirectory(ZonkyBinaries.binDirectory(major)).withFastAndUnsafe(true))) {
            assertThat(cluster.major()).isEqualTo(major);
            try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SHOW server_version_num")) {
                rs.next();
                assertThat(rs.getInt(1) / 10000).isEqualTo(major);
                assertThat(ZonkyBinaries.version(major)).startsWith(rs.getInt(1) / 10000 + "." + rs.getInt(1) % 10000 + ".");
            }
        }
    }
}

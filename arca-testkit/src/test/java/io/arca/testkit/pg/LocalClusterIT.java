package io.arca.testkit.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import io.arca.postgres.local.PgConnections;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalClusterIT {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void acceptsTheSuperuserWithItsPassword() throws Exception {
        String db = PG.createDatabase("accepts");
        try (Connection c = PG.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_user, current_database(), current_setting('fsync'),"
                     + " current_setting('server_version_num'), inet_server_addr()::text")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("postgres");
            assertThat(rs.getString(2)).isEqualTo(db);
            assertThat(rs.getString(3)).isEqualTo("off");
            assertThat(rs.getString(4)).startsWith("15");
            assertThat(rs.getString(5)).startsWith("127.0.0.1");
        }
        assertThat(PG.url(db)).isEqualTo("postgresql://postgres@127.0.0.1:" + PG.cluster().port() + "/" + db);
        assertThat(PG.cluster().major()).isEqualTo(15);
    }

    @Test
    void urlPlusPasswordFromEnvironmentConnects() throws Exception {
        ConnectionSettings s = ConnectionSettings.parse(PG.url("postgres"),
                Map.of("ARCA_DB_PASSWORD", PG.cluster().password()));
        try (Connection c = PgConnections.open(s)) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @Test
    void wrongPasswordIsAnAuthenticationError() {
        ConnectionSettings wrong = PG.settings("postgres").withPassword("not-the-password");
        assertThatThrownBy(() -> PgConnections.open(wrong))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
                    assertThat(e.getMessage()).isEqualTo("password authentication failed for user 'postgres' at '127.0.0.1:"
                            + PG.cluster().port() + "'");
                    assertThat(e.hint()).contains("PGPASSWORD").contains("ARCA_DB_PASSWORD").contains("~/.pgpass");
                });
    }

    @Test
    void missingDatabaseIsReportedAsSuch() {
        assertThatThrownBy(() -> PG.connect("no_such_db"))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PG_DATABASE_MISSING);
                    assertThat(e.getMessage()).isEqualTo("database 'no_such_db' does not exist at '127.0.0.1:"
                            + PG.cluster().port() + "'");
                });
    }

    @Test
    void closedPortIsAConnectionError() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        ConnectionSettings s = new ConnectionSettings("127.0.0.1", closedPort, "app", "app", "pw", Map.of());
        assertThatThrownBy(() -> PgConnections.open(s))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PG_CONNECTION);
                    assertThat(e.getMessage()).isEqualTo("cannot connect to PostgreSQL at '127.0.0.1:" + closedPort
                            + "': connection refused");
                    assertThat(e.hint()).isEqualTo("check that the server is running and that host and port are right");
                });
    }

    @Test
    void closeStopsTheServerAndDeletesEverything() throws Exception {
        long started = System.nanoTime();
        LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withMajor(15).withFastAndUnsafe(true)
                .withSetting("work_mem", "8MB"));
        long startMillis = (System.nanoTime() - started) / 1_000_000;
        Path dir = cluster.directory();
        long pid = cluster.postmasterPid();
        assertThat(LocalCluster.isProcessRunning(pid)).isTrue();
        cluster.execute("postgres", "CREATE TABLE t(x int)", "INSERT INTO t VALUES (1)");
        try (Connection c = cluster.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('work_mem'), (SELECT count(*) FROM t)")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("8MB");
            assertThat(rs.getInt(2)).isEqualTo(1);
        }

        started = System.nanoTime();
        cluster.close();
        long stopMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("LocalCluster start %d ms, close %d ms%n", startMillis, stopMillis);

        assertThat(LocalCluster.isProcessRunning(pid)).isFalse();
        assertThat(Files.exists(dir)).isFalse();
        cluster.close(); // idempotent
    }
}

package io.arca.testkit.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.local.PgConnections;
import io.arca.postgres.local.ToolProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real pg_dump output, classified: the unit test's stderr samples must match what PostgreSQL 15 prints. */
class ToolProcessIT {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static Path pgDump;

    @BeforeAll
    static void findPgDump() {
        pgDump = PgBinaries.discover(List.of()).require("pg_dump", PG.cluster().major());
    }

    private static ToolProcess dump(ConnectionSettings s) {
        return ToolProcess.builder(pgDump).args("--schema-only", "-d", s.libpqConninfo())
                .environment(s.libpqEnvironment()).noStdin().start();
    }

    @Test
    void dumpsThroughConninfoAndEnvironment() throws Exception {
        String db = PG.createDatabase("tool");
        PG.cluster().execute(db, "CREATE TABLE \"Tåble 'quoted'\" (x int)");
        ToolProcess p = dump(PG.settings(db));
        String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
        p.waitForSuccess("pg_dump");
        assertThat(out).contains("CREATE TABLE public.\"Tåble 'quoted'\"");
    }

    @Test
    void wrongPasswordIsAuthentication() {
        ToolProcess p = dump(PG.settings("postgres").withPassword("wrong"));
        assertThatThrownBy(() -> p.waitForSuccess("pg_dump")).isInstanceOfSatisfying(ArcaException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION));
    }

    @Test
    void missingDatabaseIsReported() {
        ToolProcess p = dump(PG.settings("nope_db"));
        assertThatThrownBy(() -> p.waitForSuccess("pg_dump")).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.PG_DATABASE_MISSING);
            assertThat(e.getMessage()).isEqualTo("database 'nope_db' does not exist (reported by pg_dump)");
        });
    }

    @Test
    void closedPortIsConnection() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        ToolProcess p = dump(new ConnectionSettings("127.0.0.1", closedPort, "app", "app", null, Map.of()));
        assertThatThrownBy(() -> p.waitForSuccess("pg_dump")).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.PG_CONNECTION);
            assertThat(e.getMessage()).contains("Connection refused");
        });
    }

    @Test
    void jdbcWithoutPasswordIsAuthentication() {
        assertThatThrownBy(() -> {
            try (Connection c = PgConnections.open(PG.settings("postgres").withPassword(null))) {
                c.isValid(1);
            }
        }).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
            assertThat(e.getMessage()).isEqualTo("no password for user 'postgres' at '127.0.0.1:" + PG.cluster().port()
                    + "', but the server asks for one");
        });
    }
}

package io.arca.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each authentication method pg_hba.conf can ask a replication connection for, and the failures. */
class ReplicationAuthenticationIT {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final String USER = "repl_user";
    private static final String PASSWORD = "Repl-Secret-4711";

    @BeforeAll
    static void roles() {
        PG.cluster().execute("postgres",
                "CREATE ROLE " + USER + " LOGIN REPLICATION PASSWORD '" + PASSWORD + "'",
                "CREATE ROLE plain_user LOGIN PASSWORD '" + PASSWORD + "'");
    }

    private static ConnectionSettings as(String user, String password) {
        LocalCluster c = PG.cluster();
        return new ConnectionSettings(c.host(), c.port(), user, "postgres", password, Map.of("sslmode", "disable"));
    }

    private static void connects(ConnectionSettings s, String method) {
        try (ReplicationConnection c = ReplicationConnection.open(s)) {
            assertThat(c.authentication()).isEqualTo(method);
            assertThat(c.identifySystem().timeline()).isEqualTo(new TimelineId(1));
        }
    }

    /** Rewrites the replication lines of pg_hba.conf ({@code null}: none) and waits for the reload. */
    private static void replicationAuth(String method) throws Exception {
        LocalCluster c = PG.cluster();
        String hba = "local all all trust\nlocal replication all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
                + (method == null ? "" : "host replication all 127.0.0.1/32 " + method + "\n");
        Files.writeString(c.dataDirectory().resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
        String before = ReplicationFixtures.queryOne(c, "SELECT pg_conf_load_time()");
        ReplicationFixtures.queryOne(c, "SELECT pg_reload_conf()");
        long deadline = System.nanoTime() + 10_000_000_000L;
        // A new backend inherits the postmaster's load time: it changes once the postmaster reloaded.
        while (ReplicationFixtures.queryOne(c, "SELECT pg_conf_load_time()").equals(before)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server did not reload pg_hba.conf");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void trust() throws Exception {
        replicationAuth("trust");
        connects(as(USER, null), "trust");
    }

    @Test
    void cleartextPassword() throws Exception {
        replicationAuth("password");
        connects(as(USER, PASSWORD), "password");
        assertWrongPasswordFails();
    }

    @Test
    void md5() throws Exception {
        PG.cluster().execute("postgres", "SET password_encryption = 'md5'; ALTER ROLE " + USER + " PASSWORD '" + PASSWORD + "'");
        try {
            assertThat(ReplicationFixtures.queryOne(PG.cluster(),
                    "SELECT rolpassword FROM pg_authid WHERE rolname = '" + USER + "'")).startsWith("md5");
            replicationAuth("md5");
            connects(as(USER, PASSWORD), "md5");
            assertWrongPasswordFails();
        } finally {
            PG.cluster().execute("postgres",
                    "SET password_encryption = 'scram-sha-256'; ALTER ROLE " + USER + " PASSWORD '" + PASSWORD + "'");
        }
    }

    @Test
    void scramSha256() throws Exception {
        replicationAuth("scram-sha-256");
        assertThat(ReplicationFixtures.queryOne(PG.cluster(),
                "SELECT rolpassword FROM pg_authid WHERE rolname = '" + USER + "'")).startsWith("SCRAM-SHA-256$");
        connects(as(USER, PASSWORD), "SCRAM-SHA-256");
        connects(PG.settings("postgres"), "SCRAM-SHA-256");
        assertWrongPasswordFails();
    }

    @Test
    void noPasswordWhenTheServerAsksForOne() throws Exception {
        replicationAuth("scram-sha-256");
        assertThatThrownBy(() -> ReplicationConnection.open(as(USER, null)))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
                    assertThat(e.getMessage()).contains("no password for user '" + USER + "'");
                });
    }

    @Test
    void noPgHbaEntryForReplication() throws Exception {
        replicationAuth(null);
        try {
            assertThatThrownBy(() -> ReplicationConnection.open(as(USER, PASSWORD)))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
                        assertThat(e.getMessage()).contains("28000").contains("no pg_hba.conf entry")
                                .doesNotContain(PASSWORD);
                        assertThat(e.hint()).contains("host replication " + USER).contains("pg_hba.conf")
                                .contains("pg_reload_conf()");
                    });
        } finally {
            replicationAuth("scram-sha-256");
        }
    }

    @Test
    void roleWithoutReplicationAttribute() throws Exception {
        replicationAuth("scram-sha-256");
        assertThatThrownBy(() -> ReplicationConnection.open(as("plain_user", PASSWORD)))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
                    assertThat(e.getMessage()).contains("plain_user").contains("42501");
                    assertThat(e.hint()).contains("ALTER ROLE plain_user REPLICATION");
                });
    }

    @Test
    void allowAndPreferFallBackToPlainOnAServerWithoutTls() throws Exception {
        replicationAuth("scram-sha-256");
        for (String mode : new String[] {"allow", "prefer"}) {
            LocalCluster c = PG.cluster();
            ConnectionSettings s = new ConnectionSettings(c.host(), c.port(), USER, "postgres", PASSWORD,
                    Map.of("sslmode", mode));
            try (ReplicationConnection conn = ReplicationConnection.open(s)) {
                assertThat(conn.isEncrypted()).isFalse();
            }
        }
    }

    private static void assertWrongPasswordFails() {
        String wrong = "Wrong-Pass-0815";
        assertThatThrownBy(() -> ReplicationConnection.open(as(USER, wrong)))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
                    assertThat(e.getMessage()).contains("password authentication failed").contains("28P01")
                            .contains(USER).doesNotContain(wrong).doesNotContain(PASSWORD).doesNotContain("\n");
                    assertThat(e.hint()).doesNotContain(wrong);
                });
    }
}

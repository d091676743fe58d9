package io.arca.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ConnectionSettings;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ReplicationErrorsTest {

    private static final ConnectionSettings S =
            new ConnectionSettings("db.example.com", 5433, "backup", "postgres", "Top-Secret", Map.of());

    private static ServerError error(String state, String message) {
        return new ServerError(Map.of('V', "FATAL", 'C', state, 'M', message));
    }

    @Test
    void wrongPassword() {
        ArcaException e = ReplicationErrors.atConnect(S, error("28P01", "password authentication failed for user \"backup\""));
        assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
        assertThat(e.getMessage()).isEqualTo("password authentication failed for user 'backup' at 'db.example.com:5433'"
                + " (replication connection): password authentication failed for user \"backup\" (sqlstate 28P01)");
        assertThat(e.getMessage() + e.hint()).doesNotContain("Top-Secret");
    }

    @Test
    void noPgHbaEntry() {
        ArcaException e = ReplicationErrors.atConnect(S, error("28000",
                "no pg_hba.conf entry for replication connection from host \"10.0.0.7\", user \"backup\", no encryption"));
        assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
        assertThat(e.hint()).contains("host replication backup").contains("pg_hba.conf");
    }

    @Test
    void notAReplicationRole() {
        ArcaException old = ReplicationErrors.atConnect(S, error("42501", "must be superuser or replication role to start walsender"));
        ArcaException pg16 = ReplicationErrors.atConnect(S, error("42501", "permission denied to start WAL sender"));
        for (ArcaException e : new ArcaException[] {old, pg16}) {
            assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
            assertThat(e.hint()).contains("ALTER ROLE backup REPLICATION");
        }
    }

    @Test
    void tooManyWalSenders() {
        ArcaException e = ReplicationErrors.atConnect(S, error("53300",
                "number of requested standby connections exceeds max_wal_senders (currently 0)"));
        assertThat(e.code()).isEqualTo(ErrorCode.PG_CONNECTION);
        assertThat(e.hint()).contains("max_wal_senders");
    }

    @Test
    void commandFailures() {
        ArcaException failed = ReplicationErrors.inCommand(S, "BASE_BACKUP",
                new ServerError(Map.of('C', "22023", 'M', "Unrecognized checksum algorithm: \"NOPE\"")));
        assertThat(failed.code()).isEqualTo(ErrorCode.FAILURE);
        assertThat(failed.getMessage()).isEqualTo("BASE_BACKUP failed at 'db.example.com:5433': unrecognized checksum"
                + " algorithm: \"NOPE\" (sqlstate 22023)");
        ArcaException shutdown = ReplicationErrors.inCommand(S, "BASE_BACKUP",
                error("57P01", "terminating connection due to administrator command"));
        assertThat(shutdown.code()).isEqualTo(ErrorCode.PG_CONNECTION);
    }

    @Test
    void multiLineServerMessagesBecomeOneLine() {
        ArcaException e = ReplicationErrors.inCommand(S, "BASE_BACKUP",
                new ServerError(Map.of('C', "XX000", 'M', "first line\n  second line", 'H', "Do this.")));
        assertThat(e.getMessage()).doesNotContain("\n").contains("first line second line");
        assertThat(e.hint()).isEqualTo("do this.");
    }

    @Test
    void transportFailures() {
        assertThat(ReplicationErrors.transport(S, "cannot connect to", new ConnectException("Connection refused"))
                .getMessage()).isEqualTo("cannot connect to PostgreSQL at 'db.example.com:5433': connection refused");
        ArcaException timeout = ReplicationErrors.transport(S, "cannot connect to", new SocketTimeoutException("x"));
        assertThat(timeout.code()).isEqualTo(ErrorCode.PG_CONNECTION);
        assertThat(timeout.hint()).contains("connect_timeout");
        ArcaException tls = ReplicationErrors.transport(S, "cannot connect securely to",
                new SSLHandshakeException("PKIX path building failed"));
        assertThat(tls.code()).isEqualTo(ErrorCode.PG_CONNECTION);
        assertThat(tls.getMessage()).contains("TLS failed");
    }
}

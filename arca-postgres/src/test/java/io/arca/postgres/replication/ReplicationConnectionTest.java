package io.arca.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicationConnectionTest {

    @ParameterizedTest
    @CsvSource({
            "15.4, 150004",
            "'15.4 (Debian 15.4-1.pgdg120+1)', 150004",
            "18.1, 180001",
            "16beta2, 160000",
            "17rc1, 170000",
            "13devel, 130000",
            "10.23, 100023",
            "9.6.24, 90624",
            "garbage, 0"})
    void serverVersionNumbers(String version, int expected) {
        assertThat(ReplicationConnection.parseServerVersion(version)).isEqualTo(expected);
    }

    @Test
    void newBaseBackupSyntax() {
        assertThat(ReplicationConnection.baseBackupCommand(
                new BaseBackupRequest("it's", true, false, "SHA256", true), true, 150000))
                .isEqualTo("BASE_BACKUP ( LABEL 'it''s', PROGRESS, CHECKPOINT 'fast', WAIT false, MANIFEST 'yes',"
                        + " MANIFEST_CHECKSUMS 'SHA256', TABLESPACE_MAP )");
        assertThat(ReplicationConnection.baseBackupCommand(
                new BaseBackupRequest("x", false, true, null, false), true, 170000))
                .isEqualTo("BASE_BACKUP ( LABEL 'x', PROGRESS, CHECKPOINT 'spread', WAIT true, MANIFEST 'no' )");
    }

    @Test
    void oldBaseBackupSyntax() {
        assertThat(ReplicationConnection.baseBackupCommand(
                new BaseBackupRequest("l", true, false, "CRC32C", true), false, 140000))
                .isEqualTo("BASE_BACKUP LABEL 'l' PROGRESS FAST NOWAIT MANIFEST 'yes' MANIFEST_CHECKSUMS 'CRC32C'"
                        + " TABLESPACE_MAP");
        assertThat(ReplicationConnection.baseBackupCommand(
                new BaseBackupRequest("l", false, true, null, false), false, 130000))
                .isEqualTo("BASE_BACKUP LABEL 'l' PROGRESS MANIFEST 'no'");
    }

    @Test
    void manifestChecksumNamesCannotInjectOptions() {
        assertThatThrownBy(() -> new BaseBackupRequest("l", true, false, "SHA256', WAL", false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void md5Answer() {
        // Computed independently: 'md5' + md5(md5('postgrespostgres').hexdigest() + salt), salt de ad be ef.
        assertThat(ReplicationConnection.md5("postgres", "postgres",
                new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}))
                .isEqualTo("md58ee245854025535aedb7b15709315318");
    }

    @Test
    void connectTimeouts() {
        assertThat(ReplicationConnection.connectTimeoutMillis(null)).isEqualTo(10_000);
        assertThat(ReplicationConnection.connectTimeoutMillis("3")).isEqualTo(3_000);
        assertThat(ReplicationConnection.connectTimeoutMillis("1")).isEqualTo(2_000);
        assertThat(ReplicationConnection.connectTimeoutMillis("0")).isZero();
        assertThatThrownBy(() -> ReplicationConnection.connectTimeoutMillis("soon"))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USAGE));
    }

    @Test
    void sslModes() {
        assertThat(SslMode.parse(null)).isEqualTo(SslMode.PREFER);
        assertThat(SslMode.parse("verify-full")).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(SslMode.parse("REQUIRE")).isEqualTo(SslMode.REQUIRE);
        assertThat(SslMode.parse("")).isEqualTo(SslMode.PREFER);
        assertThatThrownBy(() -> SslMode.parse("always"))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USAGE));
    }
}

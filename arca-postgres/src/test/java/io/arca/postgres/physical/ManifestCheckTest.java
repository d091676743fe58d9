package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.postgres.physical.TarTestFiles.Member;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestCheckTest {

    @Test
    void theIgnoreListIsPgVerifybackupsWithItsPathPrefixRule() {
        assertThat(ManifestCheck.IGNORED).containsExactly("backup_manifest", "pg_wal", "postgresql.auto.conf",
                "recovery.signal", "standby.signal");
        assertThat(ManifestCheck.ignored("pg_wal")).isTrue();
        assertThat(ManifestCheck.ignored("pg_wal/archive_status/000000010000000000000002.done")).isTrue();
        assertThat(ManifestCheck.ignored("pg_walx")).isFalse();
        assertThat(ManifestCheck.ignored("postgresql.auto.conf")).isTrue();
        assertThat(ManifestCheck.ignored("postgresql.conf")).isFalse();
        assertThat(ManifestCheck.ignored("base/1/pg_wal")).isFalse();
    }

    @Test
    void tarNamesBecomeManifestPaths() {
        assertThat(ManifestCheck.path("", "base/1/1259")).isEqualTo("base/1/1259");
        assertThat(ManifestCheck.path("", "./base//1/./1259")).isEqualTo("base/1/1259");
        assertThat(ManifestCheck.path("pg_tblspc/16384/", "PG_15_202209061/5/16385"))
                .isEqualTo("pg_tblspc/16384/PG_15_202209061/5/16385");
        assertThat(ManifestCheck.tablespacePrefix(16384)).isEqualTo("pg_tblspc/16384/");
        assertThatThrownBy(() -> ManifestCheck.requirePrefix("pg_tblspc/16384")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ManifestCheck.requirePrefix("base/")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void version2ManifestsAreCheckedAgainstTheSystemIdentifierInPgControl() throws Exception {
        long systemId = 7_300_000_000_000_000_123L;
        byte[] good = control(systemId);
        ServerManifest manifest = manifest(systemId, good);
        assertThat(check(manifest, good).problems()).isEmpty();

        byte[] other = control(systemId + 1);
        ServerManifest otherManifest = manifest(systemId, other);
        assertThat(check(otherManifest, other).problems()).containsExactly("global/pg_control: system identifier "
                + (systemId + 1) + ", the manifest says " + systemId);
    }

    @Test
    void filesReadShortOrNeverFinishedAreReported() throws Exception {
        byte[] control = control(1);
        ManifestCheck check = new ManifestCheck(manifest(1, control));
        try (InputStream in = check.track("global/pg_control", control.length, new ByteArrayInputStream(control))) {
            in.read(new byte[10]);
        }
        check.entryDone("global/pg_control");
        try (InputStream in = check.track("PG_VERSION", 3, new ByteArrayInputStream("15\n".getBytes(StandardCharsets.US_ASCII)))) {
            in.readAllBytes();
        }
        assertThat(check.finish().problems()).containsExactly("global/pg_control: 10 bytes read, 64 in the manifest",
                "PG_VERSION: check not finished");
    }

    private static ManifestCheck.Result check(ServerManifest manifest, byte[] control) throws Exception {
        ManifestCheck check = new ManifestCheck(manifest);
        check.check("", new ByteArrayInputStream(TarTestFiles.ustar(Member.directory("global"),
                Member.file("global/pg_control", control), Member.file("PG_VERSION", "15\n"))));
        return check.finish();
    }

    /** 64 bytes starting with the system identifier in this machine's byte order, as pg_control does. */
    private static byte[] control(long systemId) {
        return ByteBuffer.allocate(64).order(ByteOrder.nativeOrder()).putLong(systemId).array();
    }

    private static ServerManifest manifest(long systemId, byte[] control) {
        ManifestChecksum sum = ManifestChecksum.of("CRC32C");
        sum.update(control, 0, control.length);
        String text = ServerManifestTest.withChecksum("{ \"PostgreSQL-Backup-Manifest-Version\": 2,\n"
                + "\"System-Identifier\": " + Long.toUnsignedString(systemId) + ",\n"
                + "\"Files\": [\n"
                + "{ \"Path\": \"PG_VERSION\", \"Size\": 3, \"Last-Modified\": \"2025-01-02 03:04:00 GMT\", "
                + "\"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"8a744722\" },\n"
                + "{ \"Path\": \"global/pg_control\", \"Size\": " + control.length + ", \"Last-Modified\": \"2025-01-02 03:04:00 GMT\", "
                + "\"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"" + sum.hex() + "\" }\n"
                + "],\n"
                + "\"WAL-Ranges\": [\n"
                + "{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000120\" }\n"
                + "],\n");
        return ServerManifest.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}

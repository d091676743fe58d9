package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ServerManifestTest {

    /** A PostgreSQL 17 style (version 2) manifest, without its checksum line. */
    private static final String V2_BODY = """
            { "PostgreSQL-Backup-Manifest-Version": 2,
            "System-Identifier": 13000000000000000001,
            "Files": [
            { "Path": "backup_label", "Size": 227, "Last-Modified": "2025-01-02 03:04:05 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "24840F9A" },
            { "Path": "PG_VERSION", "Size": 3, "Last-Modified": "2025-01-02 03:04:00 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "8a744722" },
            { "Encoded-Path": "626173652f352f6dc3bc6c6c", "Size": 0, "Last-Modified": "2025-01-02 03:04:00 GMT" },
            { "Path": "pg_tblspc/16385/PG_17_202406281/5/16386", "Size": 8192, "Last-Modified": "2025-01-02 03:04:00 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7" }
            ],
            "WAL-Ranges": [
            { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000120" },
            { "Timeline": 2, "Start-LSN": "0/3000000", "End-LSN": "1/A0" }
            ],
            """;

    @Test
    void parsesAVersion2ManifestWithSystemIdentifier() {
        ServerManifest m = parse(withChecksum(V2_BODY));
        assertThat(m.version()).isEqualTo(2);
        assertThat(Long.toUnsignedString(m.systemIdentifier().orElseThrow())).isEqualTo("13000000000000000001");
        assertThat(m.files()).extracting(ServerManifest.File::path).containsExactly("backup_label", "PG_VERSION",
                "base/5/müll", "pg_tblspc/16385/PG_17_202406281/5/16386");
        assertThat(m.file("backup_label")).isEqualTo(new ServerManifest.File("backup_label", 227,
                Instant.parse("2025-01-02T03:04:05Z"), "CRC32C", "24840f9a"));
        assertThat(m.file("base/5/müll")).isEqualTo(new ServerManifest.File("base/5/müll", 0,
                Instant.parse("2025-01-02T03:04:00Z"), "NONE", null));
        assertThat(m.file("base/5/müll").hasChecksum()).isFalse();
        assertThat(m.file("pg_tblspc/16385/PG_17_202406281/5/16386").checksumAlgorithm()).isEqualTo("SHA256");
        assertThat(m.file("nope")).isNull();
        assertThat(m.walRanges()).containsExactly(
                new ServerManifest.WalRange(new TimelineId(1), Lsn.parse("0/2000028"), Lsn.parse("0/2000120")),
                new ServerManifest.WalRange(new TimelineId(2), Lsn.parse("0/3000000"), Lsn.parse("1/A0")));
        assertThat(m.totalSize()).isEqualTo(227 + 3 + 8192);
        assertThat(m.manifestChecksum()).hasSize(64);
    }

    @Test
    void version1HasNoSystemIdentifier() {
        String body = V2_BODY.replace("\"PostgreSQL-Backup-Manifest-Version\": 2", "\"PostgreSQL-Backup-Manifest-Version\": 1")
                .replace("\"System-Identifier\": 13000000000000000001,\n", "");
        ServerManifest m = parse(withChecksum(body));
        assertThat(m.version()).isEqualTo(1);
        assertThat(m.systemIdentifier()).isEmpty();
    }

    @Test
    void everyFlippedByteIsCaught() {
        byte[] good = withChecksum(V2_BODY).getBytes(StandardCharsets.UTF_8);
        // every byte of the text, the checksum line included: either the JSON no longer parses
        // or the checksum no longer fits
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            int at = i;
            assertThatThrownBy(() -> ServerManifest.parse(new ByteArrayInputStream(bad)))
                    .as("byte %d ('%c')", at, (char) good[at])
                    .isInstanceOfSatisfying(ArcaException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));
        }
        assertThatThrownBy(() -> parse(withChecksum(V2_BODY).replace("\"Size\": 3,", "\"Size\": 4,")))
                .hasMessageContaining("manifest checksum does not match");
    }

    @Test
    void aMissingOrMalformedChecksumIsAVerificationFailure() {
        assertFails(V2_BODY.substring(0, V2_BODY.length() - 2) + "\n}\n", "no Manifest-Checksum");
        assertFails(V2_BODY + "\"Manifest-Checksum\": \"abc\"}\n", "invalid Manifest-Checksum");
        String good = withChecksum(V2_BODY);
        assertFails(good.substring(0, good.length() - 1), "not newline-terminated");
    }

    @Test
    void refusesWhatPostgresqlRefuses() {
        assertFails(withChecksum(V2_BODY.replace("Manifest-Version\": 2", "Manifest-Version\": 3")), "unsupported manifest version 3");
        assertFails(withChecksum(V2_BODY.replace("\"Path\": \"PG_VERSION\"", "\"Path\": \"backup_label\"")),
                "duplicate path 'backup_label'");
        assertFails(withChecksum(V2_BODY.replace("\"System-Identifier\"", "\"Colour\"")), "unrecognized top-level field 'Colour'");
        assertFails(withChecksum(V2_BODY.replace("\"Checksum-Algorithm\": \"SHA256\"", "\"Checksum-Algorithm\": \"MD5\"")),
                "unrecognized checksum algorithm 'MD5'");
        assertFails(withChecksum(V2_BODY.replace("{ \"PostgreSQL-Backup-Manifest-Version\": 2,\n\"System-Identifier\": 13000000000000000001,",
                "{ \"System-Identifier\": 13000000000000000001,\n\"PostgreSQL-Backup-Manifest-Version\": 2,")),
                "expected the version indicator first");
        assertFails(withChecksum(V2_BODY.replace("\"Size\": 3,", "")), "no Size for 'PG_VERSION'");
        assertFails("{ \"PostgreSQL-Backup-Manifest-Version\": 1 ", "not valid JSON");
    }

    /** Appends the checksum line as PostgreSQL does: SHA-256 of everything before it. */
    static String withChecksum(String body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return body + "\"Manifest-Checksum\": \"" + HexFormat.of().formatHex(digest) + "\"}\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ServerManifest parse(String text) {
        return ServerManifest.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertFails(String text, String message) {
        assertThatThrownBy(() -> parse(text)).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).startsWith("invalid backup manifest: ").contains(message);
            assertThat(e.hint()).isNotBlank();
        });
    }
}

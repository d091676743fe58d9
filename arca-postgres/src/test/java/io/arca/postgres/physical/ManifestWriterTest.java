package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestWriterTest {
    private static final List<ServerManifest.File> FILES = List.of(
            new ServerManifest.File("backup_label", 227, Instant.parse("2026-11-23T01:02:03Z"), "CRC32C", "0a1b2c3d"),
            new ServerManifest.File("base/5/odd \"name\"\n", 8192, Instant.parse("2026-11-22T00:00:00Z"), "CRC32C",
                    "deadbeef"),
            new ServerManifest.File("pg_tblspc/16385/PG_15_202209061/5/16386", 0,
                    Instant.parse("2026-11-22T00:00:00Z"), "NONE", null));
    private static final List<ServerManifest.WalRange> WAL = List.of(
            new ServerManifest.WalRange(new TimelineId(1), Lsn.parse("0/2000028"), Lsn.parse("0/2000100")));

    @Test
    void version1ReadsBackWithItsOwnChecksum() {
        byte[] bytes = ManifestWriter.write(1, 42, FILES, WAL);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).startsWith("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n{ \"Path\": \"backup_label\","
                + " \"Size\": 227, \"Last-Modified\": \"2026-11-23 01:02:03 GMT\", \"Checksum-Algorithm\": \"CRC32C\","
                + " \"Checksum\": \"0a1b2c3d\" },\n")
                .contains("\n],\n\"WAL-Ranges\": [\n{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\" }\n],\n")
                .doesNotContain("System-Identifier");
        ServerManifest m = ServerManifest.parse(new ByteArrayInputStream(bytes));
        assertThat(m.version()).isEqualTo(1);
        assertThat(m.files()).containsExactlyElementsOf(FILES);
        assertThat(m.walRanges()).containsExactlyElementsOf(WAL);
    }

    @Test
    void version2CarriesTheSystemIdentifier() {
        ServerManifest m = ServerManifest.parse(new ByteArrayInputStream(ManifestWriter.write(2, -1L, FILES, WAL)));
        assertThat(m.version()).isEqualTo(2);
        assertThat(m.systemIdentifier().getAsLong()).isEqualTo(-1L);
    }
}

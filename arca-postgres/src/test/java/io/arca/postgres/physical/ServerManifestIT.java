package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.Lsn;
import io.arca.testkit.pg.PostgresExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerManifestIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static long tablespace;

    @BeforeAll
    static void data() throws Exception {
        tablespace = ManifestTestBackups.createTablespace(PG.cluster(), "manifest_ts");
        String db = PG.createDatabase("manifest");
        PG.cluster().execute(db, "CREATE TABLE t TABLESPACE manifest_ts AS SELECT g FROM generate_series(1, 10000) g",
                "CREATE TABLE u AS SELECT g FROM generate_series(1, 10000) g");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"CRC32C", "SHA256"})
    void realManifestsParseAndTheirChecksumsFitTheFiles(String algorithm) throws Exception {
        ManifestTestBackups.Backup backup = ManifestTestBackups.basebackup(PG.cluster(), algorithm, "none");
        ServerManifest manifest = backup.manifest();
        assertThat(manifest.version()).isEqualTo(1);
        assertThat(manifest.systemIdentifier()).isEmpty();
        assertThat(manifest.files()).allSatisfy(f -> assertThat(f.checksumAlgorithm()).isEqualTo(algorithm));

        // every file of both tars is in the manifest with its size and the checksum computed here
        Map<String, String> computed = new HashMap<>();
        Map<String, String> tars = Map.of("", backup.baseTar().toString(),
                ManifestCheck.tablespacePrefix(tablespace), backup.tablespaceTars().get(tablespace).toString());
        String backupLabel = null;
        for (Map.Entry<String, String> t : tars.entrySet()) {
            try (TarReader r = new TarReader(Files.newInputStream(Path.of(t.getValue())))) {
                for (TarEntry e = r.next(); e != null; e = r.next()) {
                    if (!e.isFile()) {
                        continue;
                    }
                    String path = t.getKey() + e.name();
                    ServerManifest.File f = manifest.file(path);
                    assertThat(f).as(path).isNotNull();
                    assertThat(f.size()).as(path).isEqualTo(e.size());
                    ManifestChecksum sum = ManifestChecksum.of(algorithm);
                    byte[] content = r.content().readAllBytes();
                    sum.update(content, 0, content.length);
                    computed.put(path, sum.hex());
                    if (path.equals("backup_label")) {
                        backupLabel = new String(content, StandardCharsets.UTF_8);
                    }
                }
            }
        }
        assertThat(computed.keySet()).containsExactlyInAnyOrderElementsOf(
                manifest.files().stream().map(ServerManifest.File::path).toList());
        assertThat(manifest.files()).allSatisfy(f -> assertThat(computed.get(f.path())).as(f.path()).isEqualTo(f.checksum()));
        assertThat(manifest.files()).anySatisfy(f -> assertThat(f.path()).startsWith("pg_tblspc/" + tablespace + "/PG_15_"));
        assertThat(manifest.file("PG_VERSION").lastModified()).isNotNull();

        // the WAL range starts where backup_label says the backup started
        assertThat(manifest.walRanges()).hasSize(1);
        ServerManifest.WalRange range = manifest.walRanges().get(0);
        assertThat(range.timeline().value()).isEqualTo(1);
        Matcher m = Pattern.compile("START WAL LOCATION: (\\S+) ").matcher(backupLabel);
        assertThat(m.find()).isTrue();
        assertThat(range.start()).isEqualTo(Lsn.parse(m.group(1)));
        assertThat(range.end()).isGreaterThan(range.start());
    }

    @Test
    void aChangedByteInARealManifestIsCaught() throws Exception {
        ManifestTestBackups.Backup backup = ManifestTestBackups.basebackup(PG.cluster(), "CRC32C", "none");
        byte[] good = Files.readAllBytes(backup.manifestFile());
        assertThat(ServerManifest.parse(new ByteArrayInputStream(good)).files()).isNotEmpty();
        String text = new String(good, StandardCharsets.UTF_8);
        // one character of the PG_VERSION entry's size: "Size": 3 -> "Size": 4
        int at = text.indexOf("\"Size\": 3,", text.indexOf("\"Path\": \"PG_VERSION\"")) + "\"Size\": ".length();
        byte[] bad = good.clone();
        bad[at] = '4';
        assertThatThrownBy(() -> ServerManifest.parse(new ByteArrayInputStream(bad)))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                    assertThat(e.getMessage()).contains("manifest checksum does not match");
                });
    }
}

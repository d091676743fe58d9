package io.arca.postgres.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format 1 manifests, as the release before manifest format 2 wrote them (stored fixtures taken
 * with that release: a logical backup with {@code --table customers} and a physical backup), read
 * as format 2: one PostgreSQL section with the format 1 fields as its details, every artifact in it.
 */
class FormatOneManifestTest {
    @TempDir
    Path dir;

    @Test
    void aPartialLogicalBackupReadsAsOnePartialLogicalSection() throws Exception {
        JsonNode v1 = fixture("partial-logical-manifest.json");
        BackupManifest m = readBack("partial-logical-manifest.json");

        assertThat(m.formatVersion()).isEqualTo(1);
        assertThat(m.backupId()).isEqualTo(v1.get("backupId").asText());
        assertThat(m.sections()).hasSize(1);
        assertThat(m.sections().get(0).source()).isEqualTo("postgresql.logical");
        assertThat(m.subjects()).extracting(s -> s.uri()).containsExactly("postgresql://127.0.0.1:55439/shop");
        assertThat(m.sections().get(0).artifacts()).containsExactly("shop.dump");
        assertThat(m.partial()).isTrue();
        assertThat(PostgresSection.kind(m)).isEqualTo(BackupKind.LOGICAL);
        PostgresSection.DatabaseInfo db = PostgresSection.database(m);
        assertThat(db.name()).isEqualTo("shop");
        assertThat(db.selection().tables()).containsExactly("customers");
        assertThat(db.tables()).extracting(PostgresSection.TableInfo::name, PostgresSection.TableInfo::rows)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("customers", 40L));
        assertThat(db.systemIdentifier()).isEqualTo(v1.get("database").get("systemIdentifier").asText());
        assertThat(PostgresSection.physical(m)).isNull();
        assertThat(m.series()).isEqualTo("postgresql.logical@postgresql:/shop");
        assertThat(m.labels()).isEqualTo(RepositoryJson.mapper().convertValue(v1.get("labels"), java.util.Map.class));
    }

    @Test
    void aPhysicalBackupKeepsEveryRecoveryField() throws Exception {
        JsonNode v1 = fixture("physical-manifest.json");
        BackupManifest m = readBack("physical-manifest.json");

        assertThat(m.sections()).singleElement().satisfies(s -> {
            assertThat(s.source()).isEqualTo("postgresql.physical");
            assertThat(s.subject().uri()).isEqualTo("postgresql://127.0.0.1:55439");
            assertThat(s.artifacts()).containsExactly("base.tar", "backup_manifest");
            assertThat(s.partial()).isFalse();
        });
        PostgresSection.PhysicalInfo p = PostgresSection.physical(m);
        JsonNode want = v1.get("physical");
        assertThat(RepositoryJson.mapper().valueToTree(p).toString()).isEqualTo(want.toString());
        assertThat(p.stopTime()).isEqualTo(java.time.Instant.parse(want.get("stopTime").asText()));
        assertThat(PostgresSection.kind(m)).isEqualTo(BackupKind.PHYSICAL);
        assertThat(m.artifacts()).hasSize(2);
        assertThat(m.full()).isTrue();
    }

    private static JsonNode fixture(String name) throws Exception {
        try (InputStream in = FormatOneManifestTest.class.getResourceAsStream("/fixtures/v1/" + name)) {
            return RepositoryJson.mapper().readTree(in);
        }
    }

    /** The fixture as the only backup of a repository, read back through its catalog. */
    private BackupManifest readBack(String name) throws Exception {
        JsonNode v1 = fixture(name);
        LocalFileStorage storage = new LocalFileStorage(dir);
        Repository.init(storage, new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
        String id = v1.get("backupId").asText();
        Path folder = dir.resolve(new io.arca.core.repo.BackupId(id).directory());
        Files.createDirectories(folder);
        try (InputStream in = FormatOneManifestTest.class.getResourceAsStream("/fixtures/v1/" + name)) {
            Files.copy(in, folder.resolve(Repository.MANIFEST_FILE));
        }
        Repository.Catalog catalog = Repository.open(storage, Clock.systemUTC()).catalog();
        assertThat(catalog.damaged()).isEmpty();
        List<BackupManifest> backups = catalog.backups();
        assertThat(backups).hasSize(1);
        return backups.get(0);
    }
}

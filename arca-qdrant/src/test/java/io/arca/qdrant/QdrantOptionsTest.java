package io.arca.qdrant;

import static io.arca.qdrant.QdrantTesting.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import io.arca.core.source.BackupSources;
import io.arca.core.source.SourceOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QdrantOptionsTest {
    private static final QdrantSource SOURCE = new QdrantSource();

    @TempDir
    Path dir;

    @Test
    void theSourceIsFoundThroughTheServiceLoader() {
        assertThat(BackupSources.load().find("qdrant.snapshot")).get().isInstanceOf(QdrantSource.class);
        assertThat(SOURCE.backupOptions().stream().map(SourceOption::name)).containsExactly("--qdrant",
                "--qdrant-collection", "--qdrant-all", "--qdrant-api-key-file", "--qdrant-timeout");
        assertThat(SOURCE.restoreOptions().stream().map(SourceOption::name)).containsExactly("--qdrant",
                "--qdrant-collection", "--qdrant-api-key-file", "--qdrant-timeout", "--qdrant-only");
        assertThat(SOURCE.drillOptions().stream().map(SourceOption::name)).containsExactly("--qdrant-scratch");
    }

    @Test
    void aBackupNeedsCollectionsOrAll() {
        assertThat(SOURCE.backupSelected(options("--qdrant", "http://q:6333"))).isTrue();
        assertThat(SOURCE.backupSelected(options("--qdrant-all"))).isFalse();
        assertThatThrownBy(() -> SOURCE.checkBackup(options("--qdrant", "http://q:6333")))
                .isInstanceOf(UsageException.class).hasMessage("--qdrant needs the collections to back up");
        assertThatThrownBy(() -> SOURCE.checkBackup(options("--qdrant", "http://q:6333", "--qdrant-all",
                "--qdrant-collection", "a"))).isInstanceOf(UsageException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> SOURCE.checkBackup(options("--qdrant", "http://q:6333", "--qdrant-collection", "a",
                "--qdrant-collection", "a"))).isInstanceOf(UsageException.class).hasMessageContaining("twice");
        QdrantOptions.Backup b = QdrantOptions.backup(options("--qdrant", "http://q:6333/", "--qdrant-collection", "a",
                "--qdrant-collection", "b c"));
        assertThat(b.collections()).containsExactly("a", "b c");
        assertThat(b.connection().timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(b.connection().apiKey()).isNull();
    }

    @Test
    void urlsAreHttpWithAHostAndNoCredentials() {
        QdrantUrl u = QdrantUrl.parse("--qdrant", "https://vectors.internal/qdrant/");
        assertThat(u.toString()).isEqualTo("https://vectors.internal:443/qdrant");
        assertThat(u.authority()).isEqualTo("vectors.internal:443");
        assertThat(u.resolve("wait=true", "collections", "a b/ü", "snapshots").toString())
                .isEqualTo("https://vectors.internal:443/qdrant/collections/a%20b%2F%C3%BC/snapshots?wait=true");
        assertThat(QdrantUrl.parse("--qdrant", "http://[::1]:6333").authority()).isEqualTo("[::1]:6333");
        for (String bad : List.of("ftp://q:6333", "q:6333", "http:///x", "http://q:6333?a=b", "not a url")) {
            assertThatThrownBy(() -> QdrantUrl.parse("--qdrant", bad)).as(bad).isInstanceOf(UsageException.class)
                    .hasMessageStartingWith("invalid --qdrant '" + bad + "'");
        }
        assertThatThrownBy(() -> QdrantUrl.parse("--qdrant", "http://user:secret@q:6333"))
                .isInstanceOf(UsageException.class).hasMessage("--qdrant must not hold credentials")
                .hasMessageNotContaining("secret");
    }

    @Test
    void theApiKeyComesFromItsFileElseTheEnvironment() throws Exception {
        Map<String, String> env = Map.of("ARCA_QDRANT_API_KEY", "from-env");
        assertThat(QdrantOptions.backup(options(env, "--qdrant", "http://q", "--qdrant-all")).connection().apiKey())
                .isEqualTo("from-env");
        Path file = Files.writeString(dir.resolve("key"), "from-file\n");
        QdrantOptions.Connection c = QdrantOptions.backup(options(env, "--qdrant", "http://q", "--qdrant-all",
                "--qdrant-api-key-file", file.toString())).connection();
        assertThat(c.apiKey()).isEqualTo("from-file");
        assertThat(c.toString()).doesNotContain("from-file");
        assertThatThrownBy(() -> SOURCE.checkBackup(options("--qdrant", "http://q", "--qdrant-all",
                "--qdrant-api-key-file", dir.resolve("missing").toString()))).isInstanceOf(UsageException.class)
                .hasMessageContaining("cannot read --qdrant-api-key-file").hasMessageContaining("no such file");
        Files.writeString(file, "  \n");
        assertThatThrownBy(() -> SOURCE.checkBackup(options("--qdrant", "http://q", "--qdrant-all",
                "--qdrant-api-key-file", file.toString()))).hasMessageContaining("is empty");
        Files.writeString(file, "a\nb\n");
        assertThatThrownBy(() -> SOURCE.checkBackup(options("--qdrant", "http://q", "--qdrant-all",
                "--qdrant-api-key-file", file.toString()))).hasMessageContaining("more than one line");
    }

    @Test
    void theTimeoutIsADurationOfAtLeastASecond() {
        assertThat(QdrantOptions.backup(options("--qdrant", "http://q", "--qdrant-all", "--qdrant-timeout", "1m30s"))
                .connection().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> SOURCE.checkBackup(options("--qdrant", "http://q", "--qdrant-all", "--qdrant-timeout",
                "0s"))).isInstanceOf(UsageException.class).hasMessageContaining("at least 1s");
        assertThatThrownBy(() -> SOURCE.checkBackup(options("--qdrant", "http://q", "--qdrant-all", "--qdrant-timeout",
                "10 minutes"))).isInstanceOf(UsageException.class).hasMessageContaining("invalid duration");
    }

    @Test
    void restoreSelectsAndRenamesCollections() {
        List<String> backedUp = List.of("a", "b", "legacy:name");
        assertThat(QdrantOptions.restore(options("--qdrant", "http://q")).targets(backedUp, "id"))
                .containsExactly(Map.entry("a", "a"), Map.entry("b", "b"), Map.entry("legacy:name", "legacy:name"));
        assertThat(QdrantOptions.restore(options("--qdrant", "http://q", "--qdrant-collection", "b",
                "--qdrant-collection", "a:a2", "--qdrant-collection", "legacy:name")).targets(backedUp, "id"))
                .containsExactly(Map.entry("b", "b"), Map.entry("a", "a2"), Map.entry("legacy:name", "legacy:name"));
        assertThat(QdrantOptions.restore(options("--qdrant", "http://q", "--qdrant-collection", "legacy:name:new"))
                .targets(backedUp, "id")).containsExactly(Map.entry("legacy:name", "new"));
        assertThatThrownBy(() -> QdrantOptions.restore(options("--qdrant", "http://q", "--qdrant-collection", "c"))
                .targets(backedUp, "20260101T000000Z-x")).isInstanceOf(UsageException.class)
                .hasMessage("backup '20260101T000000Z-x' holds no qdrant collection 'c'");
        assertThatThrownBy(() -> QdrantOptions.restore(options("--qdrant", "http://q", "--qdrant-collection", "a:x",
                "--qdrant-collection", "b:x")).targets(backedUp, "id")).hasMessageContaining("two collections as 'x'");
        for (String bad : List.of("a:", ":a", "a:b?c", "a:b/c")) {
            assertThatThrownBy(() -> SOURCE.checkRestore(options("--qdrant", "http://q", "--qdrant-collection", bad)))
                    .as(bad).isInstanceOf(UsageException.class).hasMessageContaining("invalid --qdrant-collection");
        }
        assertThat(SOURCE.restoreOnly(options("--qdrant", "http://q", "--qdrant-only"))).isTrue();
        assertThat(SOURCE.restoreOnly(options("--qdrant", "http://q"))).isFalse();
        assertThat(SOURCE.restoreSelected(options("--qdrant", "http://q"))).isTrue();
    }

    @Test
    void drillCollectionsGetTemporaryNamesQdrantAccepts() {
        assertThat(QdrantSource.temporaryName("old:name/x")).matches("arca-drill-old_name_x-[0-9a-f]{8}");
        assertThat(QdrantSource.temporaryName("a")).isNotEqualTo(QdrantSource.temporaryName("a"));
        assertThat(QdrantOptions.scratch(options())).isEmpty();
        assertThat(QdrantOptions.scratch(options(Map.of("ARCA_QDRANT_API_KEY", "k"), "--qdrant-scratch",
                "http://s:6333")).orElseThrow().apiKey()).isEqualTo("k");
        assertThat(QdrantOptions.scratch(options(Map.of("ARCA_QDRANT_API_KEY", "k", "ARCA_QDRANT_SCRATCH_API_KEY", "s"),
                "--qdrant-scratch", "http://s:6333")).orElseThrow().apiKey()).isEqualTo("s");
    }
}

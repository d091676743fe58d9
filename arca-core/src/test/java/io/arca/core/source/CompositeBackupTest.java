package io.arca.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One backup from several sources: one manifest with a section per part, every artifact readable
 * back; a failing part leaves no manifest and no artifact.
 */
class CompositeBackupTest {
    @TempDir
    Path dir;

    /** A source that stores its {@code --note} values, one artifact per value, as a text file. */
    record NoteSource(String id) implements BackupSource {
        @Override
        public String title() {
            return "notes";
        }

        @Override
        public List<SourceOption> backupOptions() {
            return List.of(SourceOption.values("--" + id, "TEXT", "a note"));
        }

        @Override
        public boolean backupSelected(SourceOptions options) {
            return options.has("--" + id);
        }

        @Override
        public List<BackupPart> backup(BackupContext context, SourceOptions options) throws IOException {
            List<ArtifactRecord> artifacts = new java.util.ArrayList<>();
            int i = 0;
            for (String note : options.all("--" + id)) {
                if (note.equals("fail")) {
                    throw new IOException("note source failed");
                }
                String name = id + "-" + i++ + ".txt";
                try (ArtifactOutput out = context.pending().openArtifact(name, context.codec())) {
                    out.write(note.getBytes(StandardCharsets.UTF_8));
                    artifacts.add(ArtifactRecord.of(name, id, "text", out, out.finish(), List.of()));
                }
            }
            return List.of(new BackupPart(Section.of(id, Subject.of("note", "host", id), List.of(), false,
                    Map.of("count", artifacts.size())), artifacts, Map.of(id, "1.0"), Map.of(id + "Millis", 1L)));
        }

        @Override
        public List<SourceOption> restoreOptions() {
            return List.of();
        }

        @Override
        public boolean restoreSelected(SourceOptions options) {
            return false;
        }

        @Override
        public String restore(RestoreContext context, Section section, SourceOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> contents(Repository repository, BackupManifest manifest, Section section) {
            return List.of();
        }

        @Override
        public List<String> verify(VerifyContext context, Section section) {
            return List.of();
        }
    }

    private Repository repository() {
        return Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
    }

    private static CompositeBackup.PartWriter writer(Repository repo, String id, String... notes) {
        return CompositeBackup.of(new NoteSource(id), new SourceOptions(Map.of("--" + id, List.of(notes)), Map.of()),
                repo, CodecSpec.parse("zstd"), Progress.NONE);
    }

    @Test
    void everyPartGoesIntoOneManifest() throws Exception {
        Repository repo = repository();
        BackupManifest m = CompositeBackup.run(repo, List.of(writer(repo, "a", "one", "two"), writer(repo, "b", "three")),
                Map.of("team", "x"));

        assertThat(m.formatVersion()).isEqualTo(BackupManifest.FORMAT_VERSION);
        assertThat(m.sections()).extracting(Section::source).containsExactly("a", "b");
        assertThat(m.sections().get(0).artifacts()).containsExactly("a-0.txt", "a-1.txt");
        assertThat(m.sections().get(1).details().get("count").asInt()).isEqualTo(1);
        assertThat(m.subjects()).extracting(Subject::uri).containsExactly("note://host/a", "note://host/b");
        assertThat(m.tools()).containsKeys("arca", "a", "b");
        assertThat(m.timings()).containsKeys("aMillis", "bMillis");
        assertThat(m.labels()).containsEntry("team", "x");
        assertThat(m.series()).isEqualTo("a@note:/a b@note:/b");

        BackupManifest read = repo.resolve(m.backupId());
        assertThat(read).isEqualTo(m);
        try (InputStream in = repo.openArtifact(read, read.artifactsOf(read.sections().get(1)).get(0))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("three");
        }
        String json = Files.readString(dir.resolve(m.id().directory()).resolve(Repository.MANIFEST_FILE));
        assertThat(RepositoryJson.mapper().readTree(json).fieldNames()).toIterable().containsExactly("formatVersion", "id",
                "repositoryId", "subjects", "startedAt", "finishedAt", "labels", "tools", "sections", "artifacts",
                "parents", "timings", "requiredEncryption");
    }

    @Test
    void aFailingPartCommitsNothingAndRemovesWhatTheOthersWrote() throws Exception {
        Repository repo = repository();
        assertThatThrownBy(() -> CompositeBackup.run(repo, List.of(writer(repo, "a", "one"), writer(repo, "b", "fail")),
                Map.of())).isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILURE));

        assertThat(repo.catalog().backups()).isEmpty();
        assertThat(repo.catalog().incomplete()).isEmpty();
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(p -> p.startsWith("backups/"))).isEmpty();
        }
    }

    @Test
    void sourcesWithTheSameIdOrOptionAreRefused() {
        assertThatThrownBy(() -> BackupSources.of(List.of(new NoteSource("a"), new NoteSource("a"))))
                .hasMessageContaining("two backup sources have the id 'a'");
    }
}

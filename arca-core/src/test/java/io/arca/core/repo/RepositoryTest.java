package io.arca.core.repo;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.storage.Storage;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTest {
    @TempDir
    Path dir;

    private static final class SteppingClock extends Clock {
        private Instant now = Instant.parse("2026-02-21T02:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            now = now.plusSeconds(61);
            return now;
        }
    }

    private Storage storage() {
        return new LocalFileStorage(dir);
    }

    private static BackupManifest backup(Repository repo, String content, Map<String, String> labels) throws Exception {
        Repository.PendingBackup p = repo.begin();
        ArtifactDigest digest;
        try (ArtifactOutput out = p.openArtifact("db.dump", CodecSpec.parse("zstd"))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
            digest = out.finish();
        }
        return p.commit(TestManifests.content(labels,
                List.of(ArtifactRecord.of("db.dump", "test", "raw", "db.dump.zst", "zstd:3", digest, List.of()))));
    }

    @Test
    void backupIdsSortByTimeAndNameTheirFolder() {
        BackupId id = BackupId.generate(Instant.parse("2026-02-21T02:00:00Z"), new Random(1));
        assertThat(id.value()).matches("20260221T020000Z-[0-9a-f]{8}");
        assertThat(id.directory()).isEqualTo("backups/2026/02/21/" + id.value());
        assertThat(id.startTime()).isEqualTo(Instant.parse("2026-02-21T02:00:00Z"));
        assertThat(BackupId.generate(Instant.parse("2026-02-21T02:00:01Z"), new Random(2))).isGreaterThan(id);
        assertThatThrownBy(() -> new BackupId("2026-02-21")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void openWithoutInitIsRepositoryNotFound() {
        assertThatThrownBy(() -> Repository.open(storage(), Clock.systemUTC()))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REPOSITORY_NOT_FOUND);
                    assertThat(e.getMessage()).startsWith("no arca repository at 'file:");
                    assertThat(e.hint()).contains("arca init --repo");
                });
    }

    @Test
    void initTwiceIsRefusedAndNewerFormatIsRejected() throws Exception {
        Repository.init(storage(), new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
        assertThatThrownBy(() -> Repository.init(storage(), new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC()))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REPOSITORY_EXISTS));
        String json = Files.readString(dir.resolve("arca.json")).replace("\"formatVersion\" : 1", "\"formatVersion\" : 2");
        Files.writeString(dir.resolve("arca.json"), json);
        assertThatThrownBy(() -> Repository.open(storage(), Clock.systemUTC()))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REPOSITORY_VERSION));
    }

    @Test
    void onlyBackupsWithManifestAreListedAndLatestSkipsSafetyBackups() throws Exception {
        Repository repo = Repository.init(storage(), new RepositoryConfig.Defaults("zstd:3"), new SteppingClock());
        BackupManifest first = backup(repo, "first", Map.of());
        BackupManifest second = backup(repo, "second", Map.of());
        BackupManifest safety = backup(repo, "safety", Map.of("purpose", "safety"));

        // An interrupted backup: artifact written, no manifest.
        Repository.PendingBackup interrupted = repo.begin();
        try (ArtifactOutput out = interrupted.openArtifact("db.dump", CodecSpec.parse("zstd"))) {
            out.write(new byte[1000]);
            out.finish();
        }

        Repository reopened = Repository.open(storage(), Clock.systemUTC());
        Repository.Catalog catalog = reopened.catalog();
        assertThat(catalog.backups()).extracting(BackupManifest::backupId)
                .containsExactly(safety.backupId(), second.backupId(), first.backupId());
        assertThat(catalog.incomplete()).containsExactly(interrupted.id().directory());
        assertThat(reopened.resolve("latest").backupId()).isEqualTo(second.backupId());
        assertThat(reopened.resolve(first.backupId().substring(0, 20)).backupId()).isEqualTo(first.backupId());
        assertThatThrownBy(() -> reopened.resolve(interrupted.id().value()))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_NOT_FOUND));
        assertThatThrownBy(() -> reopened.resolve("2026"))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USAGE));

        BackupManifest read = reopened.resolve(second.backupId());
        assertThat(read).isEqualTo(second);
        try (InputStream in = reopened.openArtifact(read, read.artifacts().get(0))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("second");
        }
    }

    @Test
    void discardRemovesWhatAFailedBackupWrote() throws Exception {
        Repository repo = Repository.init(storage(), new RepositoryConfig.Defaults("zstd:3"), new SteppingClock());
        Repository.PendingBackup p = repo.begin();
        try (ArtifactOutput out = p.openArtifact("db.dump", CodecSpec.parse("zstd"))) {
            out.write(new byte[10]);
            out.finish();
        }
        p.discard();
        assertThat(repo.catalog().incomplete()).isEmpty();
        assertThat(repo.storage().list("backups/")).isEmpty();
    }
}

package io.arca.core.repo;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.storage.local.LocalFileStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Partial backups (table or schema filters) are recorded as such and never become {@code latest}. */
class PartialLatestTest {
    private static final Instant T0 = Instant.parse("2026-12-01T02:00:00Z");

    @TempDir
    Path dir;

    @Test
    void latestIsTheNewestFullBackup() {
        LocalFileStorage storage = new LocalFileStorage(dir);
        Repository.init(storage, new RepositoryConfig.Defaults("zstd:3"), Clock.fixed(T0, ZoneOffset.UTC));
        BackupManifest full = commit(storage, 0, false);
        BackupManifest partial = commit(storage, 1, true);
        Repository repo = Repository.open(storage, Clock.systemUTC());

        assertThat(repo.resolve(partial.backupId()).partial()).as("read back from manifest.json").isTrue();
        assertThat(repo.resolve(partial.backupId()).sections().get(0).partial()).isTrue();
        assertThat(repo.resolve(full.backupId()).full()).isTrue();
        assertThat(repo.resolve("latest").backupId()).isEqualTo(full.backupId());
        assertThat(repo.resolve("latest", m -> m.has(TestManifests.LOGICAL), "logical backup", null).backupId())
                .isEqualTo(full.backupId());
        assertThat(repo.list()).hasSize(2);
    }

    @Test
    void onlyPartialBackupsLeaveNoLatest() {
        LocalFileStorage storage = new LocalFileStorage(dir);
        Repository.init(storage, new RepositoryConfig.Defaults("zstd:3"), Clock.fixed(T0, ZoneOffset.UTC));
        commit(storage, 0, true);
        Repository repo = Repository.open(storage, Clock.systemUTC());

        assertThat(repo.find("latest")).isEmpty();
        assertThatThrownBy(() -> repo.resolve("latest", m -> m.has(TestManifests.LOGICAL), "logical backup", null))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
                    assertThat(e.hint()).contains("partial backups");
                });
    }

    private static BackupManifest commit(LocalFileStorage storage, int hour, boolean partial) {
        Repository repo = Repository.open(storage, Clock.fixed(T0.plusSeconds(3600L * hour), ZoneOffset.UTC));
        return repo.begin().commit(BackupManifest.builder().part(new io.arca.core.source.BackupPart(
                TestManifests.section(TestManifests.LOGICAL, "app", partial, List.of()), List.of(), null, null)));
    }
}

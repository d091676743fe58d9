package io.arca.core.repo;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupCopyTest {
    @TempDir
    Path dir;

    private Repository repo(String name) {
        return Repository.init(new LocalFileStorage(dir.resolve(name)), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
    }

    private static BackupManifest backup(Repository repo, int size) throws Exception {
        Repository.PendingBackup p = repo.begin();
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        ArtifactDigest a;
        ArtifactDigest b;
        try (ArtifactOutput out = p.openArtifact("db.dump", CodecSpec.parse("zstd"))) {
            out.write(data);
            a = out.finish();
        }
        try (ArtifactOutput out = p.openArtifact("globals.sql", CodecSpec.parse("zstd"))) {
            out.write("CREATE ROLE app;".getBytes());
            b = out.finish();
        }
        return p.commit(TestManifests.content(Map.of(),
                List.of(ArtifactRecord.of("db.dump", "test", "raw", "db.dump.zst", "zstd:3", a, List.of()),
                        ArtifactRecord.of("globals.sql", "test", "sql", "globals.sql.zst", "zstd:3", b, List.of()))));
    }

    @Test
    void copiesArtifactsAndThenTheManifestAndIsIdempotent() throws Exception {
        Repository from = repo("a");
        Repository to = repo("b");
        BackupManifest m = backup(from, 3_000_000);

        assertThat(BackupCopy.copy(from, to, m, Progress.NONE)).isEqualTo(BackupCopy.Outcome.COPIED);

        BackupManifest copied = to.resolve(m.backupId());
        assertThat(copied).isEqualTo(m);
        assertThat(Files.readAllBytes(dir.resolve("b").resolve(m.id().directory()).resolve("manifest.json")))
                .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(m.id().directory()).resolve("manifest.json")));
        try (InputStream in = to.openArtifact(copied, copied.artifacts().get(0));
                InputStream orig = from.openArtifact(m, m.artifacts().get(0))) {
            assertThat(in.readAllBytes()).isEqualTo(orig.readAllBytes());
        }
        assertThat(BackupCopy.copy(from, to, m, Progress.NONE)).isEqualTo(BackupCopy.Outcome.ALREADY_PRESENT);
    }

    @Test
    void aDamagedSourceIsNotCommittedAtTheDestination() throws Exception {
        Repository from = repo("a");
        Repository to = repo("b");
        BackupManifest m = backup(from, 200_000);
        Path artifact = dir.resolve("a").resolve(m.id().directory()).resolve("db.dump.zst");
        byte[] bytes = Files.readAllBytes(artifact);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(artifact, bytes);

        assertThatThrownBy(() -> BackupCopy.copy(from, to, m, Progress.NONE))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                    assertThat(e.getMessage()).contains("'db.dump'").contains("in the source");
                });
        assertThat(to.list()).isEmpty();
        assertThat(to.storage().list(m.id().directory() + "/")).as("the damaged artifact was aborted").isEmpty();
    }

    @Test
    void leftoversOfAnInterruptedCopyAreReplaced() throws Exception {
        Repository from = repo("a");
        Repository to = repo("b");
        BackupManifest m = backup(from, 100_000);
        Path leftover = dir.resolve("b").resolve(m.id().directory()).resolve("db.dump.zst");
        Files.createDirectories(leftover.getParent());
        Files.write(leftover, new byte[] {1, 2, 3});
        assertThat(to.catalog().incomplete()).containsExactly(m.id().directory());

        BackupCopy.copy(from, to, m, Progress.NONE);

        assertThat(to.catalog().incomplete()).isEmpty();
        assertThat(Files.size(leftover)).isEqualTo(m.artifacts().get(0).storedSize());
    }

    @Test
    void aDifferentBackupUnderTheSameIdIsRefused() throws Exception {
        Repository from = repo("a");
        Repository to = repo("b");
        BackupManifest m = backup(from, 1000);
        BackupCopy.copy(from, to, m, Progress.NONE);
        Path manifest = dir.resolve("b").resolve(m.id().directory()).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"arca\" : \"test\"", "\"arca\" : \"other\""));

        assertThatThrownBy(() -> BackupCopy.copy(from, to, m, Progress.NONE))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.getMessage()).contains("different backup"));
    }

    @Test
    void removeDeletesTheManifestFirstAndThenTheFolder() throws Exception {
        Repository repo = repo("a");
        BackupManifest m = backup(repo, 1000);
        repo.remove(m.id());
        assertThat(repo.list()).isEmpty();
        assertThat(repo.storage().list("backups/")).isEmpty();
    }
}

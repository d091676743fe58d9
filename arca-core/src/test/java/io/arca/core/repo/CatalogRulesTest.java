package io.arca.core.repo;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.pipeline.SeekPoint;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's rules for trusting a manifest (id, folder and manifest agree; a known format;
 * artifact files inside the backup's folder), what {@code latest}, {@code latest~N} and
 * {@code before} select around damaged backups, backup folders with sub-folders, and the
 * whole-artifact check of reads in parts.
 */
class CatalogRulesTest {
    private static final java.util.function.Predicate<BackupManifest> LOGICAL = m -> m.has(TestManifests.LOGICAL);
    private static final java.util.function.Predicate<BackupManifest> PHYSICAL = m -> m.has(TestManifests.PHYSICAL);
    @TempDir
    Path dir;

    private Repository repo;
    private long seed;
    private int backups;

    /** One minute per call, so each backup starts in its own minute. */
    private static final class SteppingClock extends Clock {
        private Instant now = Instant.parse("2026-02-21T02:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            now = now.plusSeconds(60);
            return now;
        }
    }

    @BeforeEach
    void init() {
        seed = System.nanoTime();
        System.out.println("CatalogRulesTest seed " + seed);
        repo = Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"), new SteppingClock());
    }

    private BackupManifest backup(String name, int size) throws Exception {
        Repository.PendingBackup p = repo.begin();
        byte[] data = new byte[size];
        new Random(seed + backups++).nextBytes(data);
        ArtifactDigest d;
        try (ArtifactOutput out = p.openArtifact(name, CodecSpec.parse("zstd"))) {
            out.write(data);
            d = out.finish();
        }
        return p.commit(TestManifests.content(Map.of(),
                List.of(ArtifactRecord.of(name, "test", "raw", out(name), "zstd:3", d, List.of()))));
    }

    private static String out(String name) {
        return name + ".zst";
    }

    private Path manifestFile(BackupManifest m) {
        return dir.resolve(m.id().directory()).resolve(Repository.MANIFEST_FILE);
    }

    private void edit(BackupManifest m, Consumer<ObjectNode> change) throws Exception {
        ObjectNode json = (ObjectNode) RepositoryJson.mapper().readTree(manifestFile(m).toFile());
        change.accept(json);
        Files.write(manifestFile(m), RepositoryJson.mapper().writeValueAsBytes(json));
    }

    private static ArcaException thrown(Runnable r) {
        try {
            r.run();
        } catch (ArcaException e) {
            return e;
        }
        throw new AssertionError("no ArcaException");
    }

    @Test
    void aManifestNamingAnotherBackupIsDamagedAndNeverListed() throws Exception {
        BackupManifest older = backup("db.dump", 1000);
        BackupManifest newer = backup("db.dump", 1000);
        // the newest folder holds a manifest copied from the older backup
        Files.copy(manifestFile(older), manifestFile(newer), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Repository.Catalog catalog = repo.catalog();
        assertThat(catalog.backups()).extracting(BackupManifest::backupId).containsExactly(older.backupId());
        assertThat(catalog.damaged()).singleElement().satisfies(d -> {
            assertThat(d.folder()).isEqualTo(newer.id().directory());
            assertThat(d.id()).isEqualTo(newer.backupId());
            assertThat(d.problem()).contains(older.backupId()).contains("does not live in folder");
        });
        assertThat(catalog.unreadable()).containsExactly(newer.id().directory());
        ArcaException byId = thrown(() -> repo.resolve(newer.backupId()));
        assertThat(byId.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
        assertThat(byId.getMessage()).contains(newer.backupId()).contains("damaged");
    }

    @Test
    void latestThatIsUnreadableIsAnErrorNamingTheNewestBackupThatVerifies() throws Exception {
        BackupManifest oldest = backup("db.dump", 2000);
        BackupManifest middle = backup("db.dump", 2000);
        BackupManifest newest = backup("db.dump", 2000);
        Files.writeString(manifestFile(newest), "{ not json");
        // the middle one's artifact is damaged: the error must not recommend it
        Path artifact = dir.resolve(middle.id().directory()).resolve(out("db.dump"));
        byte[] bytes = Files.readAllBytes(artifact);
        bytes[bytes.length / 2] ^= 1;
        Files.write(artifact, bytes);

        assertThat(repo.list()).extracting(BackupManifest::backupId).containsExactly(middle.backupId(), oldest.backupId());
        ArcaException e = thrown(() -> repo.resolve("latest"));
        assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
        assertThat(e.getMessage()).contains(newest.backupId()).contains("manifest cannot be read");
        assertThat(e.hint()).contains(oldest.backupId()).contains("latest~2").doesNotContain(middle.backupId());
        assertThat(thrown(() -> repo.resolve("latest", LOGICAL, "logical backup", null)).code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
        // the damaged backup keeps its place: latest~1 is the one before it
        assertThat(repo.resolve("latest~1").backupId()).isEqualTo(middle.backupId());
        assertThat(repo.resolve("latest~2", LOGICAL, "logical backup", null).backupId()).isEqualTo(oldest.backupId());
        assertThat(thrown(() -> repo.resolve("latest~3")).code()).isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
        assertThat(thrown(() -> repo.resolve(newest.backupId())).code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
        assertThat(thrown(() -> repo.resolve(newest.backupId().substring(0, 17))).code())
                .isEqualTo(ErrorCode.VERIFICATION_FAILED);
    }

    @Test
    void aDamagedBackupStartedInTheSameSecondAsTheNewestCompleteOneIsLatest() throws Exception {
        Clock tenths = new Clock() {
            private Instant now = Instant.parse("2026-02-21T02:00:00.100Z");

            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                now = now.plusMillis(100);
                return now;
            }
        };
        repo = Repository.init(new LocalFileStorage(dir.resolve("tenths")), new RepositoryConfig.Defaults("zstd:3"), tenths);
        BackupManifest first = backup("db.dump", 100);
        BackupManifest second = backup("db.dump", 100);
        assertThat(first.backupId().substring(0, 16)).isEqualTo(second.backupId().substring(0, 16));
        Files.writeString(dir.resolve("tenths").resolve(second.id().directory()).resolve(Repository.MANIFEST_FILE), "{");

        // the damaged one's exact start is unknown: within its second it counts as the newer
        ArcaException e = thrown(() -> repo.resolve("latest"));
        assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
        assertThat(e.hint()).contains(first.backupId());
        assertThat(repo.resolve("latest~1").backupId()).isEqualTo(first.backupId());
    }

    @Test
    void beforeCountsOnlyBackupsStartedBeforeTheTime() throws Exception {
        BackupManifest first = backup("db.dump", 100);
        BackupManifest second = backup("db.dump", 100);
        BackupManifest third = backup("db.dump", 100);

        assertThat(repo.resolve("latest", LOGICAL, "logical backup", null).backupId()).isEqualTo(third.backupId());
        assertThat(repo.resolve("latest", LOGICAL, "logical backup", third.startedAt()).backupId()).isEqualTo(second.backupId());
        assertThat(repo.resolve("latest~1", LOGICAL, "logical backup", third.startedAt()).backupId()).isEqualTo(first.backupId());
        assertThat(repo.resolve("latest", LOGICAL, "logical backup", second.startedAt().plusSeconds(1)).backupId())
                .isEqualTo(second.backupId());
        assertThat(thrown(() -> repo.resolve("latest", LOGICAL, "logical backup", first.startedAt())).code())
                .isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
        assertThat(thrown(() -> repo.resolve("latest", PHYSICAL, "physical backup", null)).code()).isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
        assertThatThrownBy(() -> repo.resolve(first.backupId(), LOGICAL, "logical backup", third.startedAt()))
                .isInstanceOf(UsageException.class);
    }

    @Test
    void anUnknownFormatVersionIsRefused() throws Exception {
        BackupManifest newer = backup("db.dump", 100);
        BackupManifest zero = backup("db.dump", 100);
        edit(newer, j -> j.put("formatVersion", BackupManifest.FORMAT_VERSION + 1));
        edit(zero, j -> j.put("formatVersion", 0));

        assertThat(repo.list()).isEmpty();
        assertThat(repo.catalog().damaged()).hasSize(2);
        assertThat(thrown(() -> repo.resolve(newer.backupId())).code()).isEqualTo(ErrorCode.REPOSITORY_VERSION);
        assertThat(thrown(() -> repo.resolve(zero.backupId())).code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
    }

    @Test
    void artifactFilesOutsideTheBackupFolderMakeItDamaged() throws Exception {
        BackupManifest up = backup("db.dump", 100);
        BackupManifest absolute = backup("db.dump", 100);
        BackupManifest inside = backup("db.dump", 100);
        edit(up, j -> ((ObjectNode) j.withArray("artifacts").get(0)).put("file", "../../x"));
        edit(absolute, j -> ((ObjectNode) j.withArray("artifacts").get(0)).put("file", "/etc/passwd"));

        assertThat(repo.list()).extracting(BackupManifest::backupId).containsExactly(inside.backupId());
        for (BackupManifest m : List.of(up, absolute)) {
            ArcaException e = thrown(() -> repo.resolve(m.backupId()));
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).contains("not a path inside the backup's folder");
        }
        assertThat(ManifestRules.safeFile("app.dir/toc.dat.zst")).isTrue();
        assertThat(ManifestRules.safeFile("a/../b")).isFalse();
        assertThat(ManifestRules.safeFile("a//b")).isFalse();
    }

    @Test
    void aBackupFolderHoldsItsSubFoldersAndAnInterruptedOneIsIncomplete() throws Exception {
        Repository.PendingBackup p = repo.begin();
        ArtifactDigest toc;
        try (ArtifactOutput out = p.openArtifact("app.dir/toc.dat", CodecSpec.parse("zstd"))) {
            out.write("toc".getBytes(StandardCharsets.UTF_8));
            toc = out.finish();
        }
        BackupManifest directory = p.commit(TestManifests.content(Map.of(), List.of(ArtifactRecord.of("app.dir/toc.dat",
                "test", "pg_dump-directory", "app.dir/toc.dat.zst", "zstd:3", toc, List.of()))));
        Repository.PendingBackup interrupted = repo.begin();
        try (ArtifactOutput out = interrupted.openArtifact("app.dir/3001.dat", CodecSpec.parse("zstd"))) {
            out.write(new byte[100]);
            out.finish();
        }

        Repository.Catalog catalog = repo.catalog();
        assertThat(catalog.backups()).extracting(BackupManifest::backupId).containsExactly(directory.backupId());
        assertThat(catalog.incomplete()).containsExactly(interrupted.id().directory());
        assertThat(catalog.damaged()).isEmpty();
        repo.removeFolder(interrupted.id().directory());
        assertThat(repo.storage().list(interrupted.id().directory() + "/")).isEmpty();
        assertThat(repo.catalog().incomplete()).isEmpty();
    }

    @Test
    void readsInPartsCheckTheWholeArtifactAgainstItsManifest() throws Exception {
        BackupManifest a = backup("db.dump", 300_000);
        BackupManifest b = backup("db.dump", 300_000);
        ArtifactRecord recordA = a.artifacts().get(0);
        try (ArtifactParts parts = repo.openParts(a, recordA)) {
            try (InputStream in = parts.openAt(new SeekPoint("start", 0, 0), 1000)) {
                assertThat(in.readAllBytes()).hasSize(1000);
            }
            parts.finish();
        }
        // the same-sized artifact of another backup in its place: every part decodes, the whole does not match
        Path fileA = dir.resolve(a.id().directory()).resolve(recordA.file());
        Path fileB = dir.resolve(b.id().directory()).resolve(b.artifacts().get(0).file());
        assertThat(Files.size(fileA)).isEqualTo(Files.size(fileB));
        Files.copy(fileB, fileA, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (ArtifactParts parts = repo.openParts(a, recordA)) {
            try (InputStream in = parts.openAt(new SeekPoint("start", 0, 0), 1000)) {
                assertThat(in.readAllBytes()).hasSize(1000);
            }
            ArcaException e = thrown(parts::finish);
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).contains(recordA.file()).contains("sha-256");
            assertThat(parts.damage()).isSameAs(e);
            // once known, no further part is handed out
            assertThat(thrown(() -> parts.openAt(new SeekPoint("start", 0, 0), 10)).code())
                    .isEqualTo(ErrorCode.VERIFICATION_FAILED);
        }
        // a part never opened: finish still checks
        try (ArtifactParts parts = repo.openParts(a, recordA)) {
            assertThat(thrown(parts::finish).code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
        }
    }
}

package io.arca.postgres.wal;

import io.arca.postgres.manifest.TestBackups;

import io.arca.postgres.manifest.PostgresSection;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.pipeline.CodecSpec;
import io.arca.postgres.manifest.BackupKind;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.WriteOptions;
import io.arca.core.storage.local.LocalFileStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which archived WAL prune removes: what no kept physical backup of the cluster needs. */
class WalRetentionTest {
    private static final long SEG = 16L << 20;
    private static final long SYSTEM = 7_300_000_000_000_000_001L;
    private static final long OTHER = 7_300_000_000_000_000_002L;
    private static final TimelineId T1 = new TimelineId(1);
    private static final TimelineId T2 = new TimelineId(2);
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @TempDir
    Path dir;
    private LocalFileStorage storage;
    private WalArchive archive;

    @BeforeEach
    void setUp() {
        storage = new LocalFileStorage(dir.resolve("repo"));
        Repository repo = Repository.init(storage, new RepositoryConfig.Defaults("zstd:1"), Clock.systemUTC());
        archive = new WalArchive(repo, CodecSpec.parse("zstd:1"));
    }

    @Test
    void everythingBeforeTheOldestKeptBackupGoesOnEveryTimelineButTimelineHistories() {
        for (long seg = 3; seg <= 10; seg++) {
            put(SYSTEM, T1, WalFileName.segment(T1, seg, SEG).name());
        }
        put(SYSTEM, T1, WalFileName.segment(T1, 5, SEG).name() + ".partial");
        put(SYSTEM, T1, WalFileName.segment(T1, 4, SEG).name() + ".00000028.backup");
        put(SYSTEM, T2, "00000002.history");
        for (long seg = 4; seg <= 12; seg++) {
            put(SYSTEM, T2, WalFileName.segment(T2, seg, SEG).name());
        }
        // another cluster in the same repository, with no kept physical backup: untouched
        put(OTHER, T1, WalFileName.segment(T1, 1, SEG).name());

        // kept: one backup on timeline 2 from segment 9, one on timeline 1 from segment 6 (the oldest start)
        List<BackupManifest> kept = List.of(backup("b2", SYSTEM, T2, 9), backup("b1", SYSTEM, T1, 6), logical());
        List<WalRetention.Expiry> plan = WalRetention.plan(archive, kept);

        assertThat(plan).singleElement().satisfies(e -> {
            assertThat(e.systemId()).isEqualTo(SYSTEM);
            assertThat(e.keepFrom().name()).isEqualTo("000000010000000000000006");
            assertThat(e.files()).extracting(a -> a.name().name()).containsExactlyInAnyOrder(
                    "000000010000000000000003", "000000010000000000000004", "000000010000000000000005",
                    "000000010000000000000005.partial", "000000010000000000000004.00000028.backup",
                    "000000020000000000000004", "000000020000000000000005");
        });
        plan.get(0).files().forEach(archive::delete);
        assertThat(archive.list(SYSTEM)).extracting(a -> a.name().name())
                .contains("00000002.history", "000000010000000000000006", "00000001000000000000000A",
                        "000000020000000000000006", "00000002000000000000000C")
                .doesNotContain("000000010000000000000005", "000000020000000000000005");
        assertThat(archive.list(OTHER)).hasSize(1);
        // nothing left to expire
        assertThat(WalRetention.plan(archive, kept)).isEmpty();
    }

    @Test
    void withoutAKeptPhysicalBackupNothingIsExpired() {
        put(SYSTEM, T1, WalFileName.segment(T1, 1, SEG).name());
        assertThat(WalRetention.plan(archive, List.of(logical()))).isEmpty();
        assertThat(WalRetention.plan(archive, List.of())).isEmpty();
    }

    private void put(long system, TimelineId tl, String name) {
        String key = WalArchive.folder(system, tl) + name + "-" + "ab".repeat(32) + ".zst";
        try (var w = storage.openWrite(key, WriteOptions.DEFAULT)) {
            w.write(new byte[] {1});
            w.commit();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static BackupManifest backup(String id, long system, TimelineId tl, long startSeg) {
        var p = new PostgresSection.PhysicalInfo(Long.toUnsignedString(system), (int) tl.value(),
                new Lsn(startSeg * SEG + 40).toString(), new Lsn(startSeg * SEG + 100).toString(), null, null, SEG, 150000,
                T0, "stream", List.of(), "backup_manifest", "CRC32C");
        return TestBackups.manifest(id, BackupKind.PHYSICAL, T0.minusSeconds(60), T0, null, p);
    }

    private static BackupManifest logical() {
        return TestBackups.manifest("l1", BackupKind.LOGICAL, T0.minusSeconds(60), T0, null, null);
    }
}

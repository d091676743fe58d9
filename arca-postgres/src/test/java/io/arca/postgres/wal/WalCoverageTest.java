package io.arca.postgres.wal;

import io.arca.postgres.manifest.TestBackups;

import io.arca.postgres.manifest.PostgresSection;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.manifest.BackupKind;
import io.arca.core.repo.BackupManifest;
import io.arca.core.storage.WriteOptions;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gaps and recoverable windows computed from the archive's listing. */
class WalCoverageTest {
    private static final long SEG = 16L << 20;
    private static final long SYSTEM = 7_300_000_000_000_000_001L;
    private static final TimelineId T1 = new TimelineId(1);
    private static final TimelineId T2 = new TimelineId(2);
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @TempDir
    Path dir;

    private LocalFileStorage storage() {
        return new LocalFileStorage(dir.resolve("repo"));
    }

    private void put(LocalFileStorage s, TimelineId tl, long segment, boolean partial, Instant stored) throws IOException {
        String name = WalFileName.segment(tl, segment, SEG).name() + (partial ? ".partial" : "");
        String key = WalArchive.folder(SYSTEM, tl) + name + "-" + "ab".repeat(32) + ".zst";
        try (var w = s.openWrite(key, WriteOptions.DEFAULT)) {
            w.write(new byte[] {1});
            w.commit();
        }
        Files.setLastModifiedTime(dir.resolve("repo").resolve(key), FileTime.from(stored));
    }

    private static BackupManifest backup(String id, TimelineId tl, long startSeg, long stopSeg, Instant stop) {
        var p = new PostgresSection.PhysicalInfo(Long.toUnsignedString(SYSTEM), (int) tl.value(),
                new Lsn(startSeg * SEG + 40).toString(), new Lsn(stopSeg * SEG + 100).toString(), null, null, SEG, 150000,
                stop, "stream", List.of(), "backup_manifest", "CRC32C");
        return TestBackups.manifest(id, BackupKind.PHYSICAL, stop.minusSeconds(60), stop, null, p);
    }

    @Test
    void findsTheFirstGapAndTreatsOnlyATrailingPartialAsPresent() throws IOException {
        LocalFileStorage s = storage();
        for (long seg : new long[] {3, 4, 5, 7}) {
            put(s, T1, seg, false, T0.plusSeconds(seg));
        }
        WalCoverage c = WalCoverage.scan(s, SYSTEM, SEG);
        assertThat(c.firstGap(T1, 3)).map(WalFileName::name).contains("000000010000000000000006");
        assertThat(c.firstGap(T1, 7)).isEmpty();
        assertThat(c.firstGap(T1, 9)).map(WalFileName::name).contains("000000010000000000000009");
        assertThat(c.firstGap(T2, 1)).isPresent();

        put(s, T1, 6, true, T0.plusSeconds(6));
        c = WalCoverage.scan(s, SYSTEM, SEG);
        // a partial segment followed by more WAL is still a gap: its end is missing
        assertThat(c.firstGap(T1, 3)).map(WalFileName::name).contains("000000010000000000000006");
        put(s, T1, 6, false, T0.plusSeconds(6));
        c = WalCoverage.scan(s, SYSTEM, SEG);
        assertThat(c.firstGap(T1, 3)).isEmpty();
        assertThat(c.newest(T1)).map(a -> a.name().segment()).contains(7L);
    }

    @Test
    void windowsRunFromTheOldestUsableBackupToTheEndOfTheUnbrokenRunAndFollowALaterTimeline() throws IOException {
        LocalFileStorage s = storage();
        for (long seg = 2; seg <= 9; seg++) {
            if (seg != 4) {
                put(s, T1, seg, false, T0.plusSeconds(100 * seg));
            }
        }
        put(s, T2, 9, false, T0.plusSeconds(2000));
        put(s, T2, 10, true, T0.plusSeconds(2100));
        // the older backup's WAL has a gap at segment 4: the window starts at the newer one
        BackupManifest old = backup("20261120T100000Z-aaaaaa", T1, 2, 3, T0.plusSeconds(10));
        BackupManifest newer = backup("20261120T101000Z-bbbbbb", T1, 5, 5, T0.plusSeconds(600));
        List<WalCoverage.Window> windows = WalCoverage.scan(s, SYSTEM, SEG).windows(List.of(newer, old));
        assertThat(windows).hasSize(2);
        WalCoverage.Window w1 = windows.get(0);
        assertThat(w1.timeline()).isEqualTo(T1);
        assertThat(w1.backupId()).isEqualTo(newer.backupId());
        assertThat(w1.from()).isEqualTo(T0.plusSeconds(600));
        assertThat(w1.to()).isEqualTo(T0.plusSeconds(900));
        assertThat(w1.lastSegment().name()).isEqualTo("000000010000000000000009");
        WalCoverage.Window w2 = windows.get(1);
        assertThat(w2.timeline()).isEqualTo(T2);
        assertThat(w2.backupId()).isEqualTo(newer.backupId());
        assertThat(w2.to()).isEqualTo(T0.plusSeconds(2100));
        assertThat(w2.lastSegment().name()).isEqualTo("00000002000000000000000A.partial");
    }
}

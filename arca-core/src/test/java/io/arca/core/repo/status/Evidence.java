package io.arca.core.repo.status;


import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.TestManifests;
import io.arca.core.repo.DrillRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** Backups and drill records for the status tests. */
final class Evidence {
    private static final AtomicLong SUFFIXES = new AtomicLong();

    private Evidence() {
    }

    /** A logical backup of {@code database} that started at {@code start}. */
    static BackupManifest backup(String database, Instant start) {
        return backup(database, start, Map.of());
    }

    /** A safety backup, as taken before {@code restore --clean}. */
    static BackupManifest safety(String database, Instant start) {
        return backup(database, start, Map.of("purpose", "safety"));
    }

    /** A partial backup: taken with {@code --table users}. */
    static BackupManifest partial(String database, Instant start) {
        return backup(database, start, Map.of(), true);
    }

    private static BackupManifest backup(String database, Instant start, Map<String, String> labels) {
        return backup(database, start, labels, false);
    }

    private static BackupManifest backup(String database, Instant start, Map<String, String> labels, boolean partial) {
        return TestManifests.manifest(TestManifests.LOGICAL, id(start), "repo", database, partial, start,
                start.plusSeconds(90), labels, List.of(), null);
    }

    /** A drill of {@code database} that started at {@code start}, passed, and measured {@code rto}. */
    static DrillRecord passed(String database, Instant start, Duration rto) {
        return drill(database, start, rto, DrillRecord.PASS, null);
    }

    /** A drill that failed with {@code failure} (its restore failed: no recovery time measured). */
    static DrillRecord failed(String database, Instant start, String failure) {
        return drill(database, start, null, DrillRecord.FAIL, failure);
    }

    private static DrillRecord drill(String database, Instant start, Duration rto, String verdict, String failure) {
        Instant backupStart = start.minus(Duration.ofHours(1));
        return new DrillRecord(1, id(start), "repo", id(backupStart), database, start,
                start.plus(rto == null ? Duration.ofMinutes(1) : rto), backupStart, 3600,
                new DrillRecord.Scratch("ephemeral-cluster", "15.8", null, "arca_drill"), Map.of("arca", "test"),
                Map.of(), rto == null ? null : rto.toMillis(), null, List.of(), null, List.of(), verdict, failure);
    }

    private static String id(Instant start) {
        return BackupId.generate(start, new Random(SUFFIXES.incrementAndGet())).value();
    }
}

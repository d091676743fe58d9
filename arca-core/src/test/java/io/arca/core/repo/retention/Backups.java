package io.arca.core.repo.retention;


import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.TestManifests;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** Manifests and seeds for the retention tests. */
final class Backups {
    private static final AtomicLong SUFFIXES = new AtomicLong();

    private Backups() {
    }

    /** A logical backup of {@code database} that started at {@code start} (ISO-8601). */
    static BackupManifest logical(String database, String start) {
        return backup(TestManifests.LOGICAL, database, Instant.parse(start), Map.of());
    }

    static BackupManifest logical(String database, Instant start) {
        return backup(TestManifests.LOGICAL, database, start, Map.of());
    }

    /** A safety backup, as taken before {@code restore --clean}. */
    static BackupManifest safety(String database, Instant start) {
        return backup(TestManifests.LOGICAL, database, start, Map.of("purpose", "safety"));
    }

    /** A backup with a unique id for its start time; {@code database} null for a backup of no database. */
    static BackupManifest backup(String kind, String database, Instant start, Map<String, String> labels) {
        String id = BackupId.generate(start, new Random(SUFFIXES.incrementAndGet())).value();
        return TestManifests.manifest(kind, id, "repo", database, false, start, start.plusSeconds(90), labels,
                List.of(), null);
    }

    /** The folder of an incomplete backup that started at {@code start}. */
    static String incompleteFolder(Instant start) {
        return BackupId.generate(start, new Random(SUFFIXES.incrementAndGet())).directory();
    }

    /** A seed from {@code -Darca.test.seed} or the clock, logged so that a failure can be replayed. */
    static long seed(String test) {
        long seed = Long.getLong("arca.test.seed", System.nanoTime());
        System.err.println(test + ": seed " + seed + " (replay with -Darca.test.seed=" + seed + ")");
        return seed;
    }
}

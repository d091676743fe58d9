package io.arca.app.notify;

import io.arca.core.repo.run.RunRecord;
import java.time.Instant;
import java.util.Map;

/** Run records for tests that do not run a job. */
final class Runs {
    static final Instant T0 = Instant.parse("2026-03-01T02:00:00Z");

    private Runs() {
    }

    /** A backup of {@code subject} that failed to connect, started {@code minutes} after {@link #T0}. */
    static RunRecord failed(String subject, int minutes) {
        Instant start = T0.plusSeconds(60L * minutes);
        return new RunRecord(RunRecord.FORMAT_VERSION, runId(start, minutes), "backup", subject, "schedule", "db-1",
                start, start.plusSeconds(3), RunRecord.FAILED, "ARCA-1500", 14,
                "cannot connect to 'db.internal:5432': connection refused <retry later>", null, null, null, Map.of());
    }

    /** A backup of {@code subject} that succeeded, started {@code minutes} after {@link #T0}. */
    static RunRecord succeeded(String subject, int minutes) {
        Instant start = T0.plusSeconds(60L * minutes);
        return new RunRecord(RunRecord.FORMAT_VERSION, runId(start, minutes), "backup", subject, "schedule", "db-1",
                start, start.plusSeconds(42), RunRecord.SUCCEEDED, null, 0, null, 1_234_567L, 345_678L,
                "20260301T020000Z-0a1b2c3d", Map.of());
    }

    private static String runId(Instant start, int n) {
        String t = start.toString().replace("-", "").replace(":", "");
        return t.substring(0, 15) + "Z-" + String.format("%08x", n);
    }
}

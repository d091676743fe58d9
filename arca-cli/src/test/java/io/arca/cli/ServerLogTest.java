package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.app.event.JobEvent;
import io.arca.core.repo.run.RunRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerLogTest {
    private static final Instant NOW = Instant.parse("2026-03-01T02:00:07.250Z");
    private final StringWriter text = new StringWriter();
    private final ServerLog log = new ServerLog(new PrintWriter(text), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void oneLinePerRunStartAndEnd() {
        String id = "20260301T020000Z-3f9c2a1b";
        log.on(new JobEvent.Started(id, "backup", "app", "schedule", NOW));
        log.on(new JobEvent.Finished(id, new RunRecord(1, id, "backup", "app", "schedule", "h", NOW.minusSeconds(7),
                NOW, RunRecord.SUCCEEDED, null, 0, null, 1000L, 2048L, "20260301T020000Z-77e0d4c2", Map.of())));
        log.on(new JobEvent.Finished(id, new RunRecord(1, id, "backup", "crm", "api", "h", NOW.minusSeconds(1), NOW,
                RunRecord.FAILED, "ARCA-1500", 14, "cannot connect to PostgreSQL at 'db:5432'", null, null, null,
                Map.of())));
        log.accept("listening on http://127.0.0.1:9187");

        assertThat(text.toString().lines()).containsExactly(
                "2026-03-01T02:00:07Z backup 'app': started (schedule, run " + id + ")",
                "2026-03-01T02:00:07Z backup 'app': succeeded in 7s, 2.0 KiB stored, backup 20260301T020000Z-77e0d4c2"
                        + " (run " + id + ")",
                "2026-03-01T02:00:07Z backup 'crm': failed in 1s: ARCA-1500 cannot connect to PostgreSQL at 'db:5432'"
                        + " (run " + id + ")",
                "2026-03-01T02:00:07Z server: listening on http://127.0.0.1:9187");
    }

    @Test
    void passwordsAreMaskedAndALineStaysOneLine() {
        log.accept("cannot open s3://key:secret@bucket/x and postgresql://app:hunter2@db/app?password=hunter2\nnext");

        assertThat(text.toString()).isEqualTo("2026-03-01T02:00:07Z server: cannot open s3://key:***@bucket/x and"
                + " postgresql://app:***@db/app?password=*** next" + System.lineSeparator());
    }
}

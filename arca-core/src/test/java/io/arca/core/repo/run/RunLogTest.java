package io.arca.core.repo.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import io.arca.core.storage.local.LocalFileStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLogTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @TempDir
    Path dir;

    private RunLog log(Storage storage) {
        return new RunLog(storage, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static RunRecord run(String id, String job, String subject, Instant start, String outcome) {
        boolean ok = RunRecord.SUCCEEDED.equals(outcome);
        return new RunRecord(RunRecord.FORMAT_VERSION, id, job, subject, "cli", "host-a", start,
                start.plusSeconds(30), outcome, ok ? null : "ARCA-1500", ok ? 0 : 14, ok ? null : "connection refused",
                ok ? 1000L : null, ok ? 400L : null, ok ? "20261207T000000Z-00000001" : null, Map.of());
    }

    @Test
    void aRecordIsWrittenOnceUnderItsDayAndReadBack() {
        try (Storage s = new LocalFileStorage(dir)) {
            RunLog log = log(s);
            RunRecord r = run("20261207T110000Z-0000000a", "backup", "app", Instant.parse("2026-12-07T11:00:00Z"),
                    RunRecord.SUCCEEDED);
            log.write(r);
            assertThat(RunLog.key(r.runId())).isEqualTo("runs/2026/12/07/20261207T110000Z-0000000a.json");
            assertThat(s.stat(RunLog.key(r.runId()))).isPresent();
            assertThat(log.find(r.runId())).contains(r);
            // records are never rewritten
            assertThatThrownBy(() -> log.write(r)).isInstanceOf(RuntimeException.class);
            assertThat(log.find("not-an-id")).isEmpty();
        }
    }

    @Test
    void latestKeepsTheLastRunSuccessAndFailurePerJobAndSubject() {
        try (Storage s = new LocalFileStorage(dir)) {
            RunLog log = log(s);
            // older than the two days latest() re-reads: only the summary knows them
            log.write(run("20261101T010000Z-00000001", "backup", "app", Instant.parse("2026-11-01T01:00:00Z"),
                    RunRecord.FAILED));
            log.write(run("20261102T010000Z-00000002", "backup", "app", Instant.parse("2026-11-02T01:00:00Z"),
                    RunRecord.SUCCEEDED));
            log.write(run("20261207T010000Z-00000003", "backup", "app", Instant.parse("2026-12-07T01:00:00Z"),
                    RunRecord.FAILED));
            log.write(run("20261207T020000Z-00000004", "verify", "app", Instant.parse("2026-12-07T02:00:00Z"),
                    RunRecord.SUCCEEDED));
            log.write(run("20261207T030000Z-00000005", "backup", "other db", Instant.parse("2026-12-07T03:00:00Z"),
                    RunRecord.SUCCEEDED));
            Map<RunLog.Key, RunLog.Latest> latest = log.latest();
            assertThat(latest).containsOnlyKeys(new RunLog.Key("backup", "app"), new RunLog.Key("verify", "app"),
                    new RunLog.Key("backup", "other db"));
            RunLog.Latest app = latest.get(new RunLog.Key("backup", "app"));
            assertThat(app.last().runId()).isEqualTo("20261207T010000Z-00000003");
            assertThat(app.lastSuccess().runId()).isEqualTo("20261102T010000Z-00000002");
            assertThat(app.lastFailure().runId()).isEqualTo("20261207T010000Z-00000003");
            // a subject name with a space is one key segment
            assertThat(s.list("runs/latest/backup/")).extracting(i -> i.key())
                    .contains("runs/latest/backup/other%20db.json");
        }
    }

    @Test
    void aLostSummaryIsMadeGoodByRecentRecordsAndByARebuild() throws Exception {
        try (Storage s = new LocalFileStorage(dir)) {
            RunLog log = log(s);
            log.write(run("20261101T010000Z-00000001", "drill", "app", Instant.parse("2026-11-01T01:00:00Z"),
                    RunRecord.SUCCEEDED));
            log.write(run("20261207T010000Z-00000002", "drill", "app", Instant.parse("2026-12-07T01:00:00Z"),
                    RunRecord.FAILED));
            // a writer on another host lost the race: the summary still says the old success
            try (StorageWriter w = s.openWrite("runs/latest/drill/app.json", WriteOptions.DEFAULT)) {
                w.write(io.arca.core.repo.RepositoryJson.write(new RunLog.Latest(
                        log.find("20261101T010000Z-00000001").orElseThrow(),
                        log.find("20261101T010000Z-00000001").orElseThrow(), null)));
                w.commit();
            }
            assertThat(log.latest().get(new RunLog.Key("drill", "app")).last().outcome()).isEqualTo(RunRecord.FAILED);
            // a damaged summary is skipped; the rebuild makes it whole from the records
            try (StorageWriter w = s.openWrite("runs/latest/drill/app.json", WriteOptions.DEFAULT)) {
                w.write("{not json".getBytes(StandardCharsets.UTF_8));
                w.commit();
            }
            log.rebuildSummaries();
            RunLog.Latest l = log.latest().get(new RunLog.Key("drill", "app"));
            assertThat(l.lastSuccess().runId()).isEqualTo("20261101T010000Z-00000001");
            assertThat(l.lastFailure().runId()).isEqualTo("20261207T010000Z-00000002");
        }
    }

    @Test
    void listReturnsTheRunsSinceNewestFirstAndSkipsDamagedRecords() throws Exception {
        try (Storage s = new LocalFileStorage(dir)) {
            RunLog log = log(s);
            for (int day = 1; day <= 7; day++) {
                Instant t = Instant.parse(String.format("2026-12-%02dT05:00:00Z", day));
                log.write(run(String.format("202612%02dT050000Z-%08x", day, day), "backup", "app", t,
                        RunRecord.SUCCEEDED));
            }
            try (StorageWriter w = s.openWrite("runs/2026/12/06/20261206T060000Z-000000ff.json", WriteOptions.DEFAULT)) {
                w.write("damaged".getBytes(StandardCharsets.UTF_8));
                w.commit();
            }
            List<RunRecord> runs = log.list(NOW.minus(Duration.ofDays(3)));
            assertThat(runs).extracting(RunRecord::runId).containsExactly("20261207T050000Z-00000007",
                    "20261206T050000Z-00000006", "20261205T050000Z-00000005");
        }
    }

    @Test
    void pruneDeletesOldRecordsAndKeepsTheSummaries() {
        try (Storage s = new LocalFileStorage(dir)) {
            RunLog log = log(s);
            log.write(run("20260901T010000Z-00000001", "backup", "app", Instant.parse("2026-09-01T01:00:00Z"),
                    RunRecord.FAILED));
            log.write(run("20261207T010000Z-00000002", "backup", "app", Instant.parse("2026-12-07T01:00:00Z"),
                    RunRecord.SUCCEEDED));
            assertThat(log.prune(NOW.minus(Duration.ofDays(90)))).isEqualTo(1);
            assertThat(log.find("20260901T010000Z-00000001")).isEmpty();
            assertThat(log.list(Instant.EPOCH)).extracting(RunRecord::runId)
                    .containsExactly("20261207T010000Z-00000002");
            // the last failure is remembered however old
            assertThat(log.latest().get(new RunLog.Key("backup", "app")).lastFailure().runId())
                    .isEqualTo("20260901T010000Z-00000001");
        }
    }

    @Test
    void aRecordMustBeNamedByARunId() {
        assertThatThrownBy(() -> run("../../arca", "backup", "app", NOW, RunRecord.SUCCEEDED))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package io.arca.app.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.app.config.ArcaConfig;
import io.arca.app.job.RunRecorder;
import io.arca.app.json.AppJson;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.local.LocalFileStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StatusService} on a repository on local disk, its backups, drills and runs written at chosen times. */
class StatusServiceTest {
    private static final Instant NOW = Instant.parse("2026-12-10T12:00:00Z");
    private static final RepositoryConfig.Objectives NONE = new RepositoryConfig.Objectives(null, null, null);

    @TempDir
    Path dir;
    StatusFixture fx;
    StatusService service;

    @BeforeEach
    void init() {
        fx = new StatusFixture(new LocalFileStorage(dir), NOW);
        service = new StatusService(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void backupsCountForTheirSubjectLabelElseTheirDatabase() {
        BackupManifest older = fx.backup("appdb", hours(30), Map.of("subject", "app"));
        BackupManifest newer = fx.backup("appdb", hours(2), Map.of("subject", "app"));
        fx.backup("shop", hours(1), Map.of());
        fx.drill(newer, hours(1), Duration.ofMinutes(20), null);

        StatusReport report = service.status(fx.repo(), StatusQuery.all());

        assertThat(report.subjects()).extracting(SubjectStatus::subject).containsExactly("app", "shop");
        SubjectStatus app = report.subject("app");
        assertThat(app.newestBackup().id()).isEqualTo(newer.backupId());
        assertThat(app.newestBackup().size()).isEqualTo(1000);
        assertThat(app.newestBackup().storedSize()).isEqualTo(300);
        assertThat(app.backupAge()).isEqualTo(hours(2));
        assertThat(app.recoverable()).isEqualTo(new Recoverable(older.startedAt(), newer.startedAt(), false));
        assertThat(app.lastDrill().backupId()).as("the drill of database appdb counts for subject app")
                .isEqualTo(newer.backupId());
        assertThat(app.measuredRto()).isEqualTo(Duration.ofMinutes(20));
        assertThat(app.ok()).as(app.problems().toString()).isTrue();
        assertThat(report.subject("shop").problems()).containsExactly("no drill passed in the last 7d");
        assertThat(report.subject("appdb")).as("no subject of the database's name").isNull();
    }

    @Test
    void aFailedBackupAfterTheLastSuccessIsAProblemUntilALaterRunSucceeds() {
        BackupManifest b = fx.backup("app", hours(3), Map.of());
        fx.drill(b, hours(2), hours(1), null);
        fx.run("backup", "app", hours(3), RunRecord.SUCCEEDED, null, Map.of());
        RunRecord failed = fx.run("backup", "app", hours(1), RunRecord.FAILED,
                "cannot connect to 'db:5432': connection refused", Map.of());

        SubjectStatus app = service.status(fx.repo(), StatusQuery.all()).subject("app");

        assertThat(app.ok()).isFalse();
        assertThat(app.runProblems()).containsExactly(
                "last backup failed at 2026-12-10 11:00:00Z: cannot connect to 'db:5432': connection refused");
        assertThat(app.problems()).containsExactlyElementsOf(app.runProblems());
        assertThat(app.runs().get("backup").lastFailure()).isEqualTo(failed);
        assertThat(app.runs().get("backup").lastSuccess().finishedAt()).isEqualTo(NOW.minus(hours(3)));

        fx.run("backup", "app", Duration.ofMinutes(10), RunRecord.SUCCEEDED, null, Map.of());

        SubjectStatus recovered = service.status(fx.repo(), StatusQuery.all()).subject("app");
        assertThat(recovered.ok()).as(recovered.problems().toString()).isTrue();
        assertThat(recovered.runs().get("backup").last().succeeded()).isTrue();
    }

    @Test
    void aFailedRunRecordedByTheRunRecorderIsAProblemOfItsSubject() {
        BackupManifest b = fx.backup("app", hours(3), Map.of());
        fx.drill(b, hours(2), hours(1), null);
        RunRecorder recorder = new RunRecorder(Clock.fixed(NOW.minusSeconds(60), ZoneOffset.UTC), "host", e -> { });

        assertThatThrownBy(() -> recorder.run(null, RunRecord.Job.VERIFY, "app", RunRecord.Trigger.CLI,
                List.of(fx.repo()), ctx -> {
                    throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "backup 'x' failed verification");
                })).isInstanceOf(ArcaException.class);

        SubjectStatus app = service.status(fx.repo(), StatusQuery.all()).subject("app");
        assertThat(app.runProblems()).containsExactly("last verify failed at 2026-12-10 11:59:00Z: backup 'x' failed"
                + " verification");
    }

    @Test
    void aSubjectWhoseOnlyRunFailedIsJudgedToo() {
        fx.run("backup", "billing", hours(1), RunRecord.FAILED, "database \"billing\" does not exist", Map.of());
        fx.run("backup", "old", hours(1), RunRecord.SUCCEEDED, null, Map.of());

        StatusReport report = service.status(fx.repo(), StatusQuery.all());

        assertThat(report.subjects()).extracting(SubjectStatus::subject).containsExactly("billing");
        assertThat(report.subject("billing").problems()).contains("no backup",
                "last backup failed at 2026-12-10 11:00:00Z: database \"billing\" does not exist");
        assertThat(report.ok()).isFalse();
    }

    @Test
    void aFailedDrillRunIsNotToldTwiceWhenItsDrillRecordSaysSo() {
        BackupManifest b = fx.backup("app", hours(3), Map.of());
        DrillRecord failed = fx.drill(b, hours(1), null, "table public.orders: expected 1200 rows, found 0");
        fx.run("drill", "app", Duration.ofMinutes(50), RunRecord.FAILED, "drill failed",
                Map.of("drillId", failed.drillId(), "verdict", "fail"));
        fx.run("physical-backup", "app", Duration.ofMinutes(40), RunRecord.PARTIAL, "copy to 'off' failed", Map.of());

        SubjectStatus app = service.status(fx.repo(), StatusQuery.all()).subject("app");

        assertThat(app.drillProblems()).contains("last drill " + failed.drillId()
                + " failed: table public.orders: expected 1200 rows, found 0");
        assertThat(app.runProblems()).containsExactly(
                "last physical backup partly failed at 2026-12-10 11:20:00Z: copy to 'off' failed");
    }

    @Test
    void aFailedVerifyOfEveryBackupIsAProblemOfTheRepository() {
        BackupManifest b = fx.backup("app", hours(3), Map.of());
        fx.drill(b, hours(2), hours(1), null);
        fx.run("verify", "*", hours(1), RunRecord.FAILED, "backup 'y' failed verification", Map.of());
        fx.run("prune", "*", hours(1), RunRecord.FAILED, "lease held", Map.of());

        StatusReport report = service.status(fx.repo(), StatusQuery.all());

        assertThat(report.subject("app").ok()).isTrue();
        assertThat(report.problems()).containsExactly(
                "last verify of every backup failed at 2026-12-10 11:00:00Z: backup 'y' failed verification");
        assertThat(report.ok()).isFalse();
    }

    @Test
    void objectivesComeFromTheFlagsThenArcaYamlThenArcaJson() {
        BackupManifest b = fx.backup("app", hours(30), Map.of());
        fx.drill(b, hours(2), hours(1), null);
        service.saveObjectives(fx.repo(), null, new RepositoryConfig.Objectives("48h", "4h", null));
        ArcaConfig config = config("app", new ArcaConfig.Objectives("24h", null, "3d"), List.of("main"));

        SubjectStatus saved = service.status(fx.repo(), StatusQuery.all()).subject("app");
        assertThat(saved.ok()).as(saved.problems().toString()).isTrue();
        assertThat(saved.objectives().rpo()).isEqualTo(hours(48));

        SubjectStatus configured = service.status(fx.repo(), StatusQuery.configured(config, "main")).subject("app");
        assertThat(configured.problems()).containsExactly("newest backup is 30h old, RPO is 24h");
        assertThat(configured.objectives().rto()).as("from arca.json").isEqualTo(hours(4));
        assertThat(configured.objectives().drillWithin()).isEqualTo(Duration.ofDays(3));

        SubjectStatus given = service.status(fx.repo(), new StatusQuery(null,
                new RepositoryConfig.Objectives("36h", null, null), config, "main")).subject("app");
        assertThat(given.ok()).isTrue();
    }

    @Test
    void aConfiguredSubjectWithoutBackupsMissesItsObjectivesOnlyInItsRepositories() {
        fx.drill(fx.backup("app", hours(1), Map.of()), hours(1), hours(1), null);
        ArcaConfig config = config("billing", new ArcaConfig.Objectives("24h", null, null), List.of("main"));

        assertThat(service.status(fx.repo(), StatusQuery.configured(config, "main")).subject("billing").problems())
                .contains("no backup");
        assertThat(service.status(fx.repo(), StatusQuery.configured(config, "offsite")).subject("billing")).isNull();
    }

    @Test
    void aBadObjectiveInArcaYamlNamesTheSubject() {
        ArcaConfig config = config("app", new ArcaConfig.Objectives("1 day", null, null), List.of("main"));

        assertThatThrownBy(() -> service.status(fx.repo(), StatusQuery.configured(config, null)))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("subject 'app' in arca.yaml: rpo: invalid duration '1 day'");
    }

    @Test
    void oneSubjectIsJudgedEvenWithoutBackups() {
        fx.backup("app", hours(1), Map.of());

        StatusReport report = service.status(fx.repo(), new StatusQuery("shop", NONE, null, null));

        assertThat(report.subjects()).extracting(SubjectStatus::subject).containsExactly("shop");
        assertThat(report.subject("shop").backupProblems()).containsExactly("no backup");
    }

    @Test
    void jsonKeepsTheShapeOfArcaStatusAndAddsSubjectWindowAndRuns() throws Exception {
        BackupManifest b = fx.backup("appdb", hours(30), Map.of("subject", "app"));
        DrillRecord d = fx.drill(b, hours(3), Duration.ofMinutes(90), null);
        fx.run("backup", "app", hours(1), RunRecord.FAILED, "boom", Map.of());

        StatusReport report = service.status(fx.repo(), new StatusQuery(null,
                new RepositoryConfig.Objectives("24h", "4h", null), null, null));
        JsonNode app = AppJson.mapper().readTree(AppJson.write(report.subjects())).get(0);

        assertThat(app.get("database").asText()).isEqualTo("app");
        assertThat(app.get("subject").asText()).isEqualTo("app");
        assertThat(app.get("ok").asBoolean()).isFalse();
        assertThat(app.get("problems")).hasSize(2);
        assertThat(app.get("backupId").asText()).isEqualTo(b.backupId());
        assertThat(app.get("backupStartedAt").asText()).isEqualTo(b.startedAt().toString());
        assertThat(app.get("backupAgeSeconds").asLong()).isEqualTo(30 * 3600L);
        assertThat(app.get("backupBytes").asLong()).isEqualTo(1000);
        assertThat(app.get("rpoSeconds").asLong()).isEqualTo(24 * 3600L);
        assertThat(app.get("rpoMet").asBoolean()).isFalse();
        assertThat(app.get("lastDrillId").asText()).isEqualTo(d.drillId());
        assertThat(app.get("lastDrillAgeSeconds").asLong()).isEqualTo(3 * 3600L);
        assertThat(app.get("lastDrillVerdict").asText()).isEqualTo("pass");
        assertThat(app.get("lastPassedDrillId").asText()).isEqualTo(d.drillId());
        assertThat(app.get("measuredRtoMillis").asLong()).isEqualTo(90 * 60_000L);
        assertThat(app.get("rtoSeconds").asLong()).isEqualTo(4 * 3600L);
        assertThat(app.get("rtoMet").asBoolean()).isTrue();
        assertThat(app.get("drillWithinSeconds").asLong()).isEqualTo(7 * 86_400L);
        assertThat(app.get("drillWithinMet").asBoolean()).isTrue();
        assertThat(app.get("recoverable").get("newest").asText()).isEqualTo(b.startedAt().toString());
        assertThat(app.get("runs").get("backup").get("lastFailure").get("message").asText()).isEqualTo("boom");
        assertThat(app.get("runProblems").get(0).asText()).startsWith("last backup failed at ");
        assertThat(app.has("objectives")).as("objectives are flat, in seconds").isFalse();
    }

    @Test
    void anEmptyRepositoryHasNothingToJudgeUnlessObjectivesAreSet() {
        assertThat(service.status(fx.repo(), StatusQuery.all()).subjects()).isEmpty();

        StatusReport report = service.status(fx.repo(), new StatusQuery(null,
                new RepositoryConfig.Objectives("36h", null, null), null, null));

        assertThat(report.subjects()).singleElement().satisfies(s ->
                assertThat(s.problems()).contains("no backup of any database"));
    }

    private static ArcaConfig config(String subject, ArcaConfig.Objectives objectives, List<String> repositories) {
        return new ArcaConfig(Map.of("main", new ArcaConfig.RepositoryEntry("/tmp/unused", null, null, null, null, null)),
                Map.of(subject, new ArcaConfig.SubjectEntry(repositories, "postgresql://db/" + subject, null, null, null,
                        null, objectives, null, null)), null, null, null);
    }

    private static Duration hours(long h) {
        return Duration.ofHours(h);
    }

    static {
        // the fixture's times are whole seconds
        assertThat(NOW).isEqualTo(NOW.truncatedTo(ChronoUnit.SECONDS));
    }
}

package io.arca.app.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.app.config.ArcaConfig;
import io.arca.app.job.FailedRun;
import io.arca.app.job.RunRecorder;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJobs;
import io.arca.app.status.StatusQuery;
import io.arca.app.status.StatusService;
import io.arca.app.status.SubjectStatus;
import io.arca.core.Progress;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.BackupSources;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.logical.LogicalBackup;
import io.arca.postgres.logical.LogicalBackupOptions;
import io.arca.postgres.logical.RestoreDrill;
import io.arca.postgres.logical.UserCheck;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DrillService} and {@link DrillJob} on a real PostgreSQL: a configured subject's newest
 * backup drilled in a throwaway cluster and on a scratch server, with its checks and RTO from
 * {@code arca.yaml}; a failing check fails the run, whose record names the drill's evidence, and
 * status tells the failure once.
 */
class DrillServiceIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    static Path dir;
    static Path repoDir;
    static String app;
    static BackupManifest appBackup;

    @BeforeAll
    static void backUp() {
        app = PG.createDatabase("appdb");
        String other = PG.createDatabase("other");
        PG.cluster().execute(app, "create table a (id int)", "insert into a select generate_series(1, 300)");
        PG.cluster().execute(other, "create table b (id int)");
        repoDir = dir.resolve("repo");
        Repository repo = Repository.init(new LocalFileStorage(repoDir), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
        LogicalBackupOptions o = LogicalBackupOptions.defaults(CodecSpec.defaults());
        appBackup = new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE).run(PG.settings(app),
                new LogicalBackupOptions(o.format(), 1, false, List.of(), List.of(), List.of(), true, o.codec(),
                        Map.of("subject", "app"), o.stagingDirectory()));
        // newer, and another subject's: the subject's drill still takes appBackup
        new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE).run(PG.settings(other), o);
    }

    @Test
    void theJobDrillsTheSubjectsNewestBackupInAThrowawayClusterWithItsChecksAndRto() {
        Subject subject = subject(null, List.of("select count(*) = 300 from a"), "4h");

        DrillResult result = (DrillResult) recorder().run(null, RunRecord.Job.DRILL, "app", RunRecord.Trigger.SCHEDULE,
                List.of(), ctx -> SubjectJobs.of(RunRecord.Job.DRILL).run(subject, ctx));

        DrillRecord d = result.drill();
        assertThat(d.passed()).as(d.failure()).isTrue();
        assertThat(d.backupId()).isEqualTo(appBackup.backupId());
        assertThat(d.scratch().kind()).isEqualTo(RestoreDrill.EPHEMERAL_CLUSTER);
        assertThat(d.checks()).singleElement().satisfies(c -> {
            assertThat(c.ok()).isTrue();
            assertThat(c.actual()).isEqualTo("t");
        });
        assertThat(d.rtoTarget()).isEqualTo("4h");
        assertThat(result.subject()).isEqualTo("app");
        assertThat(result.evidence()).isEqualTo(Repository.drillKey(d.id()));
        assertThat(repo().drills()).extracting(DrillRecord::drillId).contains(d.drillId());

        RunRecord run = repo().runs().list(Instant.EPOCH).get(0);
        assertThat(run.outcome()).isEqualTo(RunRecord.SUCCEEDED);
        assertThat(run.subject()).isEqualTo("app");
        assertThat(run.backupId()).isEqualTo(appBackup.backupId());
        assertThat(run.details()).containsEntry("drillId", d.drillId()).containsEntry("verdict", "pass")
                .containsEntry("rtoTarget", "4h").containsKey("rtoMillis");
    }

    @Test
    void aFailingCheckFailsTheRunWhoseRecordNamesTheDrillAndStatusTellsItOnce() {
        Subject subject = subject(PG.url("postgres"), List.of("select count(*) > 1000 from a"), null);

        assertThatThrownBy(() -> recorder().run(null, RunRecord.Job.DRILL, "app", RunRecord.Trigger.SCHEDULE, List.of(),
                ctx -> SubjectJobs.of(RunRecord.Job.DRILL).run(subject, ctx)))
                .isInstanceOfSatisfying(FailedRun.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                    DrillResult r = (DrillResult) e.result();
                    assertThat(r.drill().scratch().kind()).as("the scratch server of arca.yaml")
                            .isEqualTo(RestoreDrill.SERVER);
                    assertThat(e.getMessage()).isEqualTo("drill " + r.drill().drillId() + " of backup '"
                            + appBackup.backupId() + "' failed: " + r.drill().failure());
                });

        RunRecord run = repo().runs().list(Instant.EPOCH).stream().filter(r -> !r.succeeded()).findFirst().orElseThrow();
        assertThat(run.errorCode()).isEqualTo("ARCA-1600");
        assertThat(run.details()).containsEntry("verdict", "fail").containsKey("drillId");
        SubjectStatus status = new StatusService(Clock.systemUTC()).status(repo(), StatusQuery.all()).subject("app");
        assertThat(status.drillProblems()).contains("last drill " + run.details().get("drillId") + " failed: "
                + repo().drills().stream().filter(d -> d.drillId().equals(run.details().get("drillId"))).findFirst()
                        .orElseThrow().failure());
        assertThat(status.runProblems()).as("the failed drill run is the failed drill: told once").isEmpty();
    }

    @Test
    void theServiceDrillsANamedBackupWithTheGivenChecksAndRto() {
        DrillRequest request = new DrillRequest(appBackup.backupId(), null, null, 2,
                List.of(new UserCheck("select count(*) from a", ">=300")), "6h", null, null);

        assertThat(DrillService.subjectOf(repo(), request)).as("the backup's subject label").isEqualTo("app");
        DrillResult result = new DrillService(BackupSources.load(), PgBinaries.discover(List.of()), Progress.NONE)
                .drill(repo(), request);

        assertThat(result.passed()).as(result.drill().failure()).isTrue();
        assertThat(result.failure()).isNull();
        assertThat(result.drill().rtoTarget()).isEqualTo("6h");
        assertThat(result.details()).containsEntry("verdict", "pass");
    }

    private static Subject subject(String scratchServer, List<String> checks, String rto) {
        ArcaConfig config = new ArcaConfig(
                Map.of("main", new ArcaConfig.RepositoryEntry(repoDir.toString(), null, null, null, null, null)),
                Map.of("app", new ArcaConfig.SubjectEntry(List.of("main"), PG.url(app), null, null, null, null,
                        new ArcaConfig.Objectives(null, rto, null), null, new ArcaConfig.Drill(scratchServer, checks))),
                null, null, null);
        Map<String, String> env = new HashMap<>();
        String password = PG.settings("postgres").password();
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        return new Subject("app", config.subjects().get("app"), config, env);
    }

    private static RunRecorder recorder() {
        return new RunRecorder(Clock.systemUTC(), "test-host", e -> { });
    }

    private static Repository repo() {
        return Repository.open(new LocalFileStorage(repoDir), Clock.systemUTC());
    }
}

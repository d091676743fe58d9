package io.arca.app.prune;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.app.RunHarness;
import io.arca.app.backup.BackupRequest;
import io.arca.app.backup.BackupService;
import io.arca.app.config.ArcaConfig;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJobs;
import io.arca.core.Progress;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.manifest.PostgresSection;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prune service on real physical backups and their WAL (a subject's prune keeps the WAL other
 * subjects' backups need) and on run records (old ones go, the prune is recorded itself), and the
 * prune job of a configured subject.
 */
class PruneServiceIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    Path dir;

    private final RunHarness runs = new RunHarness();
    private final PruneService service = new PruneService(Clock.systemUTC());

    private BackupManifest physical(Path repo, String subject) {
        // new WAL between backups, so that each starts in a segment of its own
        PG.cluster().execute("postgres", "create table if not exists t (v int)",
                "insert into t select g from generate_series(1, 1000) g", "select pg_switch_wal()");
        BackupRequest request = new BackupRequest(List.of(StorageUrl.parse(repo.toString())), subject,
                PG.settings("postgres"), null, BackupRequest.Physical.defaults(), List.of(), Map.of(), null, null, null);
        return runs.run(BackupService.job(request), subject, ctx -> new BackupService(Clock.systemUTC())
                .run(request, ctx, Progress.NONE)).manifest();
    }

    private PruneResult prune(PruneRequest request) {
        return runs.run(RunRecord.Job.PRUNE, request.subject() == null ? RunRecord.ALL_SUBJECTS : request.subject(),
                ctx -> service.run(request, ctx));
    }

    private static List<WalFileName> archived(Path repo, BackupManifest m) {
        Repository r = RunHarness.open(repo);
        PostgresSection.PhysicalInfo p = PostgresSection.physical(m);
        return new WalArchive(r, r.defaultCodec()).list(Long.parseUnsignedLong(p.systemIdentifier()), p.walSegmentSize())
                .stream().map(WalArchive.Archived::name).filter(n -> n.kind() != WalFileName.Kind.TIMELINE_HISTORY)
                .toList();
    }

    private static long startSegment(BackupManifest m) {
        PostgresSection.PhysicalInfo p = PostgresSection.physical(m);
        return WalFileName.parse(p.startWal(), p.walSegmentSize()).segment();
    }

    @Test
    void aSubjectsPruneExpiresOnlyTheWalThatNoRemainingBackupNeeds() {
        Path repo = RunHarness.init(dir.resolve("repo"));
        BackupManifest a1 = physical(repo, "a");
        BackupManifest b1 = physical(repo, "b");
        BackupManifest a2 = physical(repo, "a");
        assertThat(archived(repo, a1)).anySatisfy(n -> assertThat(n.segment()).isLessThan(startSegment(b1)));

        PruneResult result = prune(new PruneRequest(StorageUrl.parse(repo.toString()), "a", Map.of("keep-last", "1"),
                false, false, null));

        assertThat(result.backups()).extracting(PruneResult.Decision::backupId, PruneResult.Decision::action)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(a2.backupId(), "keep"),
                        org.assertj.core.groups.Tuple.tuple(a1.backupId(), "removed"));
        assertThat(RunHarness.open(repo).list()).extracting(BackupManifest::backupId)
                .containsExactlyInAnyOrder(a2.backupId(), b1.backupId());
        // b's backup stays, and so does the WAL it needs; a1's older WAL goes
        assertThat(result.wal()).singleElement().satisfies(w -> {
            assertThat(w.keepFrom()).isEqualTo(PostgresSection.physical(b1).startWal());
            assertThat(w.files()).isPositive();
        });
        assertThat(archived(repo, b1)).allSatisfy(n -> assertThat(n.segment()).isGreaterThanOrEqualTo(startSegment(b1)))
                .anySatisfy(n -> assertThat(n.segment()).isEqualTo(startSegment(b1)));
        assertThat(RunHarness.records(repo)).filteredOn(r -> r.job().equals("prune")).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo("a");
            assertThat(r.outcome()).isEqualTo(RunRecord.SUCCEEDED);
            assertThat(r.details()).containsEntry("removed", "1").containsEntry("walFilesRemoved",
                    Integer.toString(result.wal().get(0).files()));
        });

        // the whole repository: physical backups of one cluster are one series, so only a2 stays
        PruneResult all = prune(new PruneRequest(StorageUrl.parse(repo.toString()), null, Map.of("keep-last", "1"),
                false, false, null));
        assertThat(all.removed()).isEqualTo(1);
        assertThat(all.wal()).singleElement()
                .satisfies(w -> assertThat(w.keepFrom()).isEqualTo(PostgresSection.physical(a2).startWal()));
        assertThat(archived(repo, a2)).allSatisfy(n -> assertThat(n.segment()).isGreaterThanOrEqualTo(startSegment(a2)));
        assertThat(RunHarness.records(repo)).filteredOn(r -> r.job().equals("prune")).extracting(RunRecord::subject)
                .containsExactlyInAnyOrder("a", "*");
        assertThat(RunHarness.leaseFree(repo)).isTrue();
    }

    @Test
    void oldRunRecordsGoAndTheDryRunNeitherDeletesNorRecords() {
        Path repo = RunHarness.init(dir.resolve("repo"));
        Repository r = RunHarness.open(repo);
        Instant now = Instant.now();
        RunRecord old = record(now.minus(Duration.ofDays(100)));
        RunRecord recent = succeeded(now.minus(Duration.ofDays(10)));
        r.runs().write(old);
        r.runs().write(recent);
        StorageUrl url = StorageUrl.parse(repo.toString());

        PruneResult dry = prune(new PruneRequest(url, null, Map.of("keep-last", "3"), false, true, null));
        assertThat(dry.runsRemoved()).isZero();
        assertThat(RunHarness.records(repo)).extracting(RunRecord::runId)
                .containsExactly(recent.runId(), old.runId());

        PruneResult result = prune(new PruneRequest(url, null, Map.of("keep-last", "3"), false, false,
                Duration.ofDays(90)));

        assertThat(result.runsRemoved()).isEqualTo(1);
        List<RunRecord> left = RunHarness.records(repo);
        assertThat(left).extracting(RunRecord::runId).doesNotContain(old.runId()).contains(recent.runId());
        assertThat(left).filteredOn(x -> x.job().equals("prune")).singleElement().satisfies(p -> {
            assertThat(p.subject()).isEqualTo("*");
            assertThat(p.details()).containsEntry("runsRemoved", "1");
        });
        // the summary remembers the old failure although its record is gone
        assertThat(r.runs().latest().get(new io.arca.core.repo.run.RunLog.Key("backup", "app")).lastFailure().runId())
                .isEqualTo(old.runId());
    }

    @Test
    void thePruneJobAppliesTheSubjectsRetentionInEachOfItsRepositories() {
        Path main = RunHarness.init(dir.resolve("main"));
        Path offsite = RunHarness.init(dir.resolve("offsite"));
        RunHarness.open(main).runs().write(record(Instant.now().minus(Duration.ofDays(40))));
        ArcaConfig config = new ArcaConfig(
                Map.of("main", new ArcaConfig.RepositoryEntry(main.toString(), null, null, null, null, null),
                        "offsite", new ArcaConfig.RepositoryEntry(offsite.toString(), null, null, null, null, null)),
                Map.of("app", new ArcaConfig.SubjectEntry(List.of("main", "offsite"), null, null, null, null, null,
                        null, new ArcaConfig.Retention(2, null, null, null, null), null)),
                List.of(), null, new ArcaConfig.Runs("30d"));
        Subject app = new Subject("app", config.subjects().get("app"), config, Map.of());

        PruneJob.Result result = runs.run(RunRecord.Job.PRUNE, "app", RunRecord.Trigger.SCHEDULE,
                ctx -> (PruneJob.Result) SubjectJobs.of(RunRecord.Job.PRUNE).run(app, ctx));

        assertThat(result.repositories()).hasSize(2);
        assertThat(result.partialFailure()).isNull();
        assertThat(result.details()).containsEntry("runsRemoved", "1");
        for (Path repo : List.of(main, offsite)) {
            assertThat(RunHarness.records(repo)).filteredOn(x -> x.job().equals("prune")).singleElement()
                    .satisfies(x -> {
                        assertThat(x.subject()).isEqualTo("app");
                        assertThat(x.trigger()).isEqualTo("schedule");
                    });
        }
    }

    private static RunRecord succeeded(Instant started) {
        String id = BackupId.generate(started, new SecureRandom()).value();
        return new RunRecord(RunRecord.FORMAT_VERSION, id, "backup", "app", "cli", "h", started,
                started.plusSeconds(5), RunRecord.SUCCEEDED, null, 0, null, 10L, 5L, null, Map.of());
    }

    private static RunRecord record(Instant started) {
        String id = BackupId.generate(started, new SecureRandom()).value();
        return new RunRecord(RunRecord.FORMAT_VERSION, id, "backup", "app", "cli", "h", started,
                started.plusSeconds(5), RunRecord.FAILED, "ARCA-1500", 14, "cannot connect", null, null, null,
                Map.of());
    }
}

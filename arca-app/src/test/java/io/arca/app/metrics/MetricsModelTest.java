package io.arca.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics model on repositories on disk, filled through the repository API at chosen times. */
class MetricsModelTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path dir;
    RichRepository rich;
    SettableClock clock;

    @BeforeEach
    void init() {
        TestRepository repo = TestRepository.init(StorageUrl.parse(dir.resolve("repo").toString()),
                NOW.minus(Duration.ofDays(30)));
        rich = new RichRepository(repo, NOW);
        clock = new SettableClock(NOW);
    }

    @Test
    void everyMetricHasASampleForARepositoryThatHasEverything() {
        Samples s = scrapeOnce();

        assertThat(s.names()).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(Metric.values()).map(Metric::metricName).toList());
        for (Metric m : Metric.values()) {
            assertThat(s.types()).as(m.metricName()).containsEntry(m.metricName(), m.type().textType());
            for (Samples.Sample sample : s.of(m.metricName())) {
                assertThat(sample.labels().keySet()).as(m.metricName()).isEqualTo(Set.copyOf(m.labels()));
            }
        }
    }

    @Test
    void aFailedLastBackupRunShowsAsAFailureWithTheLastSuccessBeforeIt() {
        Samples s = scrapeOnce();

        String[] backupOfApp = {"repository", repoLabel(), "subject", "app", "job_name", "backup"};
        assertThat(s.value("arca_job_last_run_success", backupOfApp)).isZero();
        assertThat(s.value("arca_job_last_failure_timestamp_seconds", backupOfApp))
                .isEqualTo(seconds(rich.failedBackup.finishedAt()));
        assertThat(s.value("arca_job_last_success_timestamp_seconds", backupOfApp))
                .isEqualTo(seconds(rich.goodBackup.finishedAt()));
        assertThat(s.value("arca_job_last_run_timestamp_seconds", backupOfApp))
                .isEqualTo(seconds(rich.failedBackup.finishedAt()));
        assertThat(s.value("arca_job_last_run_duration_seconds", backupOfApp)).isEqualTo(10.0);
        assertThat(s.value("arca_job_runs_total", "subject", "app", "job_name", "backup", "outcome", "failed"))
                .isEqualTo(1);
        assertThat(s.value("arca_job_runs_total", "subject", "app", "job_name", "backup", "outcome", "succeeded"))
                .isEqualTo(1);
        assertThat(s.value("arca_job_last_run_success", "subject", "app", "job_name", "verify")).isEqualTo(1);
        assertThat(s.value("arca_job_last_run_success", "subject", "*", "job_name", "prune")).isEqualTo(1);
        assertThat(s.has("arca_backups", "subject", "*")).as("a prune's subject is not a subject").isFalse();
    }

    @Test
    void theNewestValidBackupIsJudgedAgainstTheRpo() {
        Samples s = scrapeOnce();

        assertThat(s.value("arca_backups", "subject", "app")).as("safety backups count as backups").isEqualTo(3);
        assertThat(s.value("arca_backup_newest_timestamp_seconds", "subject", "app"))
                .as("never a safety backup").isEqualTo(seconds(rich.appNewest.startedAt()));
        assertThat(s.value("arca_backup_age_seconds", "subject", "app")).isEqualTo(7200);
        assertThat(s.value("arca_backup_newest_bytes", "subject", "app")).isEqualTo(2000);
        assertThat(s.value("arca_backup_newest_stored_bytes", "subject", "app"))
                .isEqualTo((double) rich.appNewest.storedSize()).isPositive();
        assertThat(s.value("arca_backup_newest_duration_seconds", "subject", "app")).isEqualTo(300);
        assertThat(s.value("arca_rpo_target_seconds", "subject", "app")).as("saved for '*'").isEqualTo(86_400);
        assertThat(s.value("arca_recovery_point_timestamp_seconds", "subject", "app"))
                .as("a logical backup restores to its start").isEqualTo(seconds(rich.appNewest.startedAt()));
        assertThat(s.value("arca_status_problems", "subject", "app")).as("a failed last drill and backup run")
                .isEqualTo(2);
        assertThat(s.value("arca_status_problems", "subject", "pg-main")).as("no drill passed in 7d").isEqualTo(1);
    }

    @Test
    void aSubjectLabelNamesTheSubjectInsteadOfTheDatabase() {
        Samples s = scrapeOnce();

        assertThat(s.value("arca_backups", "subject", "shop")).isEqualTo(1);
        assertThat(s.has("arca_backups", "subject", "shopdb")).isFalse();
        assertThat(s.has("arca_drill_within_target_seconds", "subject", "shop")).as("none turns it off").isFalse();
        assertThat(s.value("arca_drill_within_target_seconds", "subject", "app")).isEqualTo(7 * 86_400);
    }

    @Test
    void drillsGiveTheLastResultTheLastPassAndItsRecoveryTime() {
        Samples s = scrapeOnce();

        assertThat(s.value("arca_drill_last_success", "subject", "app")).isZero();
        assertThat(s.value("arca_drill_last_timestamp_seconds", "subject", "app"))
                .isEqualTo(seconds(NOW.minus(Duration.ofDays(1))));
        assertThat(s.value("arca_drill_last_pass_timestamp_seconds", "subject", "app"))
                .isEqualTo(seconds(NOW.minus(Duration.ofDays(3))));
        assertThat(s.value("arca_rto_measured_seconds", "subject", "app")).isEqualTo(4200);
        assertThat(s.value("arca_rto_target_seconds", "subject", "app")).isEqualTo(14_400);
    }

    @Test
    void theWalArchiveGivesTheNewestSegmentItsGapsAndTheRecoveryPoint() {
        Samples s = scrapeOnce();

        assertThat(s.value("arca_wal_last_segment_timestamp_seconds", "subject", "pg-main"))
                .isEqualTo(seconds(rich.ago(0, 10)));
        assertThat(s.value("arca_wal_last_segment_age_seconds", "subject", "pg-main")).isEqualTo(600);
        assertThat(s.value("arca_wal_missing_segments", "subject", "pg-main")).as("segment 4").isEqualTo(1);
        assertThat(s.value("arca_recovery_point_timestamp_seconds", "subject", "pg-main"))
                .as("the unbroken WAL after the backup reaches segment 3").isEqualTo(seconds(rich.ago(0, 50)));

        rich.repo.wal(RichRepository.SYSTEM, 1, 4, false, rich.ago(0, 20));
        Samples later = scrapeOnce();
        assertThat(later.value("arca_wal_missing_segments", "subject", "pg-main")).isZero();
        assertThat(later.value("arca_recovery_point_timestamp_seconds", "subject", "pg-main"))
                .isEqualTo(seconds(rich.ago(0, 10)));
    }

    @Test
    void theRepositoryAsAWhole() {
        Samples s = scrapeOnce();

        for (String area : List.of("backups", "wal", "runs", "drills", "other")) {
            assertThat(s.value("arca_repository_bytes", "area", area)).as(area).isPositive();
        }
        assertThat(s.value("arca_repository_incomplete_backups")).isEqualTo(1);
        assertThat(s.value("arca_repository_damaged_backups")).isZero();
        assertThat(s.value("arca_metrics_scrape_error")).isZero();
        assertThat(s.value("arca_metrics_refresh_timestamp_seconds")).isEqualTo(seconds(NOW));
        assertThat(s.value("arca_metrics_refresh_duration_seconds")).isPositive();
        assertThat(s.of("arca_build_info")).singleElement().satisfies(b -> assertThat(b.labels()).containsKey("version"));
    }

    @Test
    void aCachedModelRereadsOnlyAfterTheIntervalButAgesMoveAtEveryScrape() {
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(rich.repo.url())), Duration.ofMinutes(5),
                clock)) {
            assertThat(samples(model).value("arca_backups", "subject", "app")).isEqualTo(3);
            rich.repo.logical("app", NOW, Duration.ofMinutes(1), 100, Map.of());
            rich.repo.run("backup", "app", NOW, Duration.ofMinutes(1), RunRecord.SUCCEEDED);

            clock.set(NOW.plus(Duration.ofMinutes(4)));
            Samples cached = samples(model);
            assertThat(cached.value("arca_backups", "subject", "app")).isEqualTo(3);
            assertThat(cached.value("arca_backup_age_seconds", "subject", "app")).isEqualTo(7200 + 240);

            clock.set(NOW.plus(Duration.ofMinutes(5)));
            Samples fresh = samples(model);
            assertThat(fresh.value("arca_backups", "subject", "app")).isEqualTo(4);
            assertThat(fresh.value("arca_backup_age_seconds", "subject", "app")).isEqualTo(300);
            assertThat(fresh.value("arca_job_last_run_success", "subject", "app", "job_name", "backup")).isEqualTo(1);
            assertThat(fresh.value("arca_job_runs_total", "subject", "app", "job_name", "backup", "outcome", "succeeded"))
                    .isEqualTo(2);
        }
    }

    @Test
    void runCountsDoNotGoDownWhenRecordsArePruned() {
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(rich.repo.url())), Duration.ZERO, clock)) {
            assertThat(samples(model).value("arca_job_runs_total", "job_name", "verify", "outcome", "succeeded"))
                    .isEqualTo(1);
            try (var storage = io.arca.core.storage.Storages.open(rich.repo.url())) {
                io.arca.core.repo.Repository.open(storage, clock).runs().prune(NOW.plus(Duration.ofDays(1)));
            }
            rich.repo.run("verify", "app", NOW, Duration.ofSeconds(5), RunRecord.SUCCEEDED);

            assertThat(samples(model).value("arca_job_runs_total", "job_name", "verify", "outcome", "succeeded"))
                    .isEqualTo(2);
        }
    }

    @Test
    void aRepositoryThatCannotBeReadIsAnErrorMetricAndTheOthersStillShow() {
        StorageUrl missing = StorageUrl.parse(dir.resolve("nothing-here").toString());
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(rich.repo.url()), MetricsTarget.of(missing)),
                Duration.ZERO, clock)) {
            Samples s = samples(model);

            assertThat(s.value("arca_metrics_scrape_error", "repository", MetricsTarget.labelOf(missing))).isEqualTo(1);
            assertThat(s.value("arca_metrics_scrape_error", "repository", repoLabel())).isZero();
            assertThat(s.of("arca_backups", "repository", MetricsTarget.labelOf(missing))).isEmpty();
            assertThat(s.value("arca_backups", "repository", repoLabel(), "subject", "app")).isEqualTo(3);
            assertThat(model.failures()).singleElement().satisfies(f -> {
                assertThat(f.repository()).isEqualTo(MetricsTarget.labelOf(missing));
                assertThat(f.message()).contains("nothing-here").doesNotContain("\n");
            });
        }
    }

    @Test
    void aConfigNamesTheRepositoryAndGivesItsSubjectsObjectives() {
        ArcaConfig config = new ArcaConfig(
                Map.of("main", new ArcaConfig.RepositoryEntry(rich.repo.url().toString(), null, null, null, null, null)),
                Map.of("app", subject("main", new ArcaConfig.Objectives("12h", null, "3d")),
                        "billing", subject("main", null)),
                null, null, null);
        try (MetricsModel model = MetricsModel.of(config, Duration.ZERO, clock)) {
            Samples s = samples(model);

            assertThat(s.value("arca_rpo_target_seconds", "repository", "main", "subject", "app")).isEqualTo(43_200);
            assertThat(s.value("arca_rto_target_seconds", "repository", "main", "subject", "app"))
                    .as("what the config leaves out comes from arca.json").isEqualTo(14_400);
            assertThat(s.value("arca_drill_within_target_seconds", "repository", "main", "subject", "app"))
                    .isEqualTo(3 * 86_400);
            assertThat(s.value("arca_backups", "repository", "main", "subject", "billing"))
                    .as("a configured subject without backups").isZero();
            assertThat(s.has("arca_backup_age_seconds", "subject", "billing")).isFalse();
            assertThat(s.names()).allSatisfy(n -> assertThat(s.of(n).stream()
                    .filter(x -> x.labels().containsKey("repository"))
                    .map(x -> x.labels().get("repository")).collect(Collectors.toSet())).isSubsetOf(Set.of("main")));
        }
    }

    @Test
    void aSubjectNamingAnUndefinedRepositoryIsAUsageError() {
        ArcaConfig config = new ArcaConfig(Map.of(), Map.of("app", subject("nowhere", null)), null, null, null);

        assertThatThrownBy(() -> MetricsModel.of(config, Duration.ZERO, clock)).isInstanceOf(UsageException.class)
                .hasMessageContaining("'nowhere'");
        assertThatThrownBy(() -> MetricsModel.of(List.of(), Duration.ZERO, clock)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> MetricsModel.of(List.of(MetricsTarget.of(rich.repo.url()),
                MetricsTarget.of(rich.repo.url())), Duration.ZERO, clock)).isInstanceOf(UsageException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void theRepositoryLabelLeavesOutUrlOptions() {
        StorageUrl url = StorageUrl.parse("s3://bucket/prod?endpoint=http://127.0.0.1:9000&path-style=true");
        assertThat(MetricsTarget.labelOf(url)).isEqualTo("s3://bucket/prod");
    }

    @Test
    void scrapeTextIsUtf8PrometheusTextFormat() {
        assertThat(MetricsModel.CONTENT_TYPE).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(rich.repo.url())), Duration.ZERO, clock)) {
            assertThat(model.scrape()).contains("# HELP arca_backup_age_seconds ", "# TYPE arca_job_runs_total counter");
            assertThat(samples(model).value("arca_backup_age_seconds", "subject", "app")).isCloseTo(7200, within(0.001));
        }
    }

    private static ArcaConfig.SubjectEntry subject(String repository, ArcaConfig.Objectives objectives) {
        return new ArcaConfig.SubjectEntry(List.of(repository), "postgresql://db/app", null, null, null, null,
                objectives, null, null);
    }

    private Samples scrapeOnce() {
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(rich.repo.url())), Duration.ZERO, clock)) {
            return samples(model);
        }
    }

    private static Samples samples(MetricsModel model) {
        return Samples.parse(model.scrape());
    }

    private String repoLabel() {
        return MetricsTarget.labelOf(rich.repo.url());
    }

    private static double seconds(Instant t) {
        return RichRepository.seconds(t);
    }
}

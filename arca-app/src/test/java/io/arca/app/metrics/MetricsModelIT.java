package io.arca.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.testkit.s3.S3Server;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The metrics model on a repository in S3 (s3proxy in this JVM, real HTTP and SigV4): every
 * metric, what a refresh reads again, and a bucket the model cannot read.
 */
class MetricsModelIT {
    private static final Map<String, String> CREDENTIALS = Map.of("aws.accessKeyId", S3Server.ACCESS_KEY,
            "aws.secretAccessKey", S3Server.SECRET_KEY, "aws.region", S3Server.REGION);
    private static S3Server s3;

    @BeforeAll
    static void start() {
        s3 = S3Server.start();
        // the AWS SDK's default chain reads these before the environment
        CREDENTIALS.forEach(System::setProperty);
    }

    @AfterAll
    static void stop() {
        CREDENTIALS.keySet().forEach(System::clearProperty);
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void everyMetricFromARepositoryInS3() {
        s3.createBucket("everything");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        TestRepository repo = TestRepository.init(StorageUrl.parse(s3.url("everything", "prod")),
                now.minus(Duration.ofDays(30)));
        RichRepository rich = new RichRepository(repo, now);

        Samples s;
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(repo.url())), Duration.ZERO,
                new SettableClock(now))) {
            s = Samples.parse(model.scrape());
        }

        assertThat(s.names()).isEqualTo(DeployFiles.metricNames());
        assertThat(s.of("arca_metrics_scrape_error")).singleElement()
                .satisfies(e -> assertThat(e.labels()).containsEntry("repository", "s3://everything/prod"));
        assertThat(s.value("arca_job_last_run_success", "subject", "app", "job_name", "backup")).isZero();
        assertThat(s.value("arca_job_last_failure_timestamp_seconds", "subject", "app", "job_name", "backup"))
                .isEqualTo(RichRepository.seconds(rich.failedBackup.finishedAt()));
        assertThat(s.value("arca_backups", "subject", "app")).isEqualTo(3);
        assertThat(s.value("arca_backup_age_seconds", "subject", "app")).isEqualTo(7200);
        assertThat(s.value("arca_wal_missing_segments", "subject", "pg-main")).isEqualTo(1);
        // S3 keeps its own modification times: the segments were stored just now
        assertThat(s.value("arca_wal_last_segment_timestamp_seconds", "subject", "pg-main"))
                .isCloseTo(RichRepository.seconds(Instant.now()), within(120.0));
        assertThat(s.value("arca_repository_bytes", "area", "backups")).isPositive();
    }

    @Test
    void aCachedModelListsTheRepositoryOnceAndReadsEachRunRecordOnce() {
        s3.createBucket("runs");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        TestRepository repo = TestRepository.init(StorageUrl.parse(s3.url("runs", "")), now.minus(Duration.ofDays(30)));
        for (int i = 0; i < 20; i++) {
            repo.run("backup", "app", now.minus(Duration.ofDays(10).minusHours(i)), Duration.ofMinutes(1),
                    RunRecord.SUCCEEDED);
        }
        SettableClock clock = new SettableClock(now);
        AtomicReference<CountingStorage> store = new AtomicReference<>();
        try (MetricsModel model = new MetricsModel(List.of(MetricsTarget.of(repo.url())), Duration.ofSeconds(30), clock,
                url -> {
                    store.set(new CountingStorage(Storages.open(url)));
                    return store.get();
                })) {
            assertThat(Samples.parse(model.scrape()).value("arca_job_runs_total", "outcome", "succeeded")).isEqualTo(20);
            assertThat(store.get().takeRunRecordReads()).hasSize(20);
            assertThat(store.get().lists).as("one listing of the whole repository per refresh").containsExactly("");

            repo.run("backup", "app", now.minus(Duration.ofMinutes(10)), Duration.ofMinutes(1), RunRecord.FAILED);
            assertThat(Samples.parse(model.scrape()).value("arca_job_runs_total", "outcome", "succeeded"))
                    .as("within the interval").isEqualTo(20);
            assertThat(store.get().takeRunRecordReads()).isEmpty();

            clock.set(now.plusSeconds(30));
            Samples later = Samples.parse(model.scrape());
            assertThat(later.value("arca_job_runs_total", "outcome", "failed")).isEqualTo(1);
            assertThat(later.value("arca_job_last_run_success", "job_name", "backup")).isZero();
            assertThat(store.get().takeRunRecordReads()).as("the new record, and the last two days' for latest()")
                    .contains(io.arca.core.repo.run.RunLog.key(latestRunId(repo))).hasSizeLessThanOrEqualTo(2);
        }
    }

    @Test
    void aBucketThatDoesNotExistIsAScrapeError() {
        StorageUrl missing = StorageUrl.parse(s3.url("no-such-bucket", "prod"));
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(missing)), Duration.ZERO,
                java.time.Clock.systemUTC())) {
            Samples s = Samples.parse(model.scrape());

            assertThat(s.value("arca_metrics_scrape_error", "repository", "s3://no-such-bucket/prod")).isEqualTo(1);
            assertThat(s.names()).containsExactlyInAnyOrder("arca_metrics_scrape_error",
                    "arca_metrics_refresh_duration_seconds", "arca_metrics_refresh_timestamp_seconds", "arca_build_info");
            assertThat(model.failures()).singleElement().satisfies(f -> assertThat(f.message()).isNotBlank());
        }
    }

    private static String latestRunId(TestRepository repo) {
        try (var storage = Storages.open(repo.url())) {
            return io.arca.core.repo.Repository.open(storage, java.time.Clock.systemUTC()).runs()
                    .list(Instant.now().minus(Duration.ofDays(1))).get(0).runId();
        }
    }
}

package io.arca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.app.config.ArcaConfig;
import io.arca.app.job.RunResult;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server scrapes {@code arca server}'s {@code /metrics}: the target is up, and the
 * {@code arca_*} series of runs recorded in the repository are there to query through Prometheus'
 * own HTTP API, with their {@code repository}, {@code subject} and {@code job_name} labels.
 */
class PrometheusScrapeIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void prometheusScrapesTheServer() throws Exception {
        Path repoDir = dir.resolve("repo");
        Repository repo = Repository.init(Storages.open(StorageUrl.parse(repoDir.toString())),
                new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
        ArcaConfig config = Configs.config(repoDir.toString(), null, null, "app", "crm");
        ArcaServer server = ArcaServer.builder(config).listen("127.0.0.1:0").history((j, s) -> Optional.empty())
                .metricsRefresh(Duration.ofSeconds(1)).jobs(job -> (subject, ctx) -> {
                    ctx.recordIn(repo);
                    if (subject.name().equals("crm")) {
                        throw new ArcaException(ErrorCode.PG_CONNECTION, "cannot connect to '127.0.0.1:1'");
                    }
                    return new RunResult() {
                    };
                }).start();
        try (PrometheusProcess prometheus = PrometheusProcess.start(Files.createDirectories(dir.resolve("prometheus")),
                server.port())) {
            RunState ok = server.queue().submit(RunRecord.Job.VERIFY, "app", RunRecord.Trigger.API);
            RunState failed = server.queue().submit(RunRecord.Job.VERIFY, "crm", RunRecord.Trigger.API);
            await().atMost(WAIT).until(() -> server.queue().active().isEmpty());
            assertThat(server.queue().state(ok.runId()).orElseThrow().state()).isEqualTo(RunRecord.SUCCEEDED);
            assertThat(server.queue().state(failed.runId()).orElseThrow().state()).isEqualTo(RunRecord.FAILED);

            // /-/ready comes seconds before the first scrape: ask for the target itself
            await().atMost(WAIT).until(() -> value(prometheus.query("up{job=\"arca\"}")) == 1.0
                    || !prometheus.alive());
            assertThat(prometheus.alive()).as(prometheus.log()).isTrue();

            await().atMost(WAIT).until(() -> prometheus.query("arca_job_last_run_success").size() == 2);
            List<JsonNode> success = prometheus.query("arca_job_last_run_success");
            assertThat(success).allSatisfy(s -> {
                assertThat(s.path("metric").path("job_name").asText()).isEqualTo("verify");
                assertThat(s.path("metric").path("repository").asText()).isEqualTo("main");
                assertThat(s.path("metric").path("job").asText()).isEqualTo("arca");
            });
            assertThat(value(prometheus.query("arca_job_last_run_success{subject=\"app\"}"))).isEqualTo(1.0);
            assertThat(value(prometheus.query("arca_job_last_run_success{subject=\"crm\"}"))).isEqualTo(0.0);
            assertThat(value(prometheus.query("arca_job_last_failure_timestamp_seconds{subject=\"crm\"}")))
                    .isCloseTo(repo.runs().find(failed.runId()).orElseThrow().finishedAt().toEpochMilli() / 1000.0,
                            within(0.001));
            assertThat(prometheus.query("arca_build_info")).hasSize(1);
        } finally {
            server.shutdown(ServerSettings.Shutdown.ABORT);
        }
    }

    /** The value of a one-sample result, NaN for none. */
    private static double value(List<JsonNode> result) {
        return result.size() == 1 ? Double.parseDouble(result.get(0).path("value").get(1).asText()) : Double.NaN;
    }
}

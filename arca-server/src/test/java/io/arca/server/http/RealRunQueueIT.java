package io.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.app.config.ArcaConfig;
import io.arca.app.job.RunResult;
import io.arca.app.job.SubjectJob;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.server.ServerRunQueue;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trigger through the server's real run queue ({@link ServerRunQueue}): queued, running,
 * then recorded in the subject's repository by the run recorder, as {@code GET /runs/{id}} shows.
 * The job itself is a stand-in that names the repository and waits for the test.
 */
class RealRunQueueIT {
    @TempDir
    Path dir;

    @Test
    void aTriggeredRunGoesThroughTheQueueIntoTheRepository() throws Exception {
        ApiFixture fixture = ApiFixture.create(dir.resolve("repos"));
        CountDownLatch release = new CountDownLatch(1);
        SubjectJob job = (subject, context) -> {
            String url = subject.config().repositories().get(subject.entry().repositories().get(0)).url();
            Storage storage = Storages.open(StorageUrl.parse(url));
            context.closeAtEnd(storage);
            context.recordIn(Repository.open(storage, Clock.systemUTC()));
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test did not release the job");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return new RunResult() {
                @Override
                public Long bytes() {
                    return 42L;
                }

                @Override
                public String backupId() {
                    return fixture.appNewest;
                }
            };
        };
        ServerRunQueue queue = new ServerRunQueue(fixture.config, Map.of(), 1, Clock.systemUTC(), "test-host",
                e -> { }, j -> job);
        Path operatorTokens = Files.writeString(dir.resolve("operator.tokens"), HttpApiIT.OPERATOR + "\n");
        try (HttpApi api = HttpApi.builder(fixture.config).listen("127.0.0.1:0")
                .tokens(new ArcaConfig.Tokens(null, null, operatorTokens.toString(), null)).runQueue(queue)
                .refreshInterval(Duration.ZERO).build()) {
            api.start();
            ApiClient c = ApiClient.of(api);
            HttpResponse<String> posted = c.post("/api/v1/subjects/app/backup", HttpApiIT.OPERATOR, null);
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            String location = posted.headers().firstValue("Location").orElseThrow();
            String runId = ApiClient.json(posted).get("runId").asText();
            assertThat(location).isEqualTo("/api/v1/runs/" + runId);

            JsonNode running = poll(c, location, r -> r.get("state").asText().equals("running"));
            assertThat(running.get("trigger").asText()).isEqualTo("api");
            assertThat(running.has("startedAt")).isTrue();
            release.countDown();

            JsonNode done = poll(c, location, r -> r.get("state").asText().equals("succeeded"));
            assertThat(done.get("repositories").toString()).isEqualTo("[\"main\"]");
            assertThat(done.get("host").asText()).isEqualTo("test-host");
            assertThat(done.get("bytes").asLong()).isEqualTo(42);
            assertThat(done.get("backupId").asText()).isEqualTo(fixture.appNewest);
            // and the record is in the repository
            assertThat(fixture.main.runs().find(runId)).isPresent();
            JsonNode runs = ApiClient.json(c.get("/api/v1/runs?subject=app&job=backup&since=1d", HttpApiIT.OPERATOR));
            assertThat(runs.get(0).get("runId").asText()).isEqualTo(runId);
        } finally {
            release.countDown();
            queue.shutdown(Duration.ofSeconds(10), Duration.ofSeconds(5));
        }
    }

    private static JsonNode poll(ApiClient c, String path, Predicate<JsonNode> until) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode last;
        do {
            last = ApiClient.json(c.get(path, HttpApiIT.OPERATOR));
            if (until.test(last)) {
                return last;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("run did not reach the state in 30 s: " + last);
    }
}

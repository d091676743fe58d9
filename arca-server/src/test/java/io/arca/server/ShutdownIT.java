package io.arca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.arca.app.config.ArcaConfig;
import io.arca.app.job.RunResult;
import io.arca.app.job.SubjectJob;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shutting down {@code arca server} with a job running: {@code finish} lets it end, and interrupts
 * it after the grace period; {@code abort} interrupts it at once. Either way the job cleans up
 * and its run is recorded in the repository; queued runs are cancelled.
 */
class ShutdownIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    Repository repo;
    Path work;
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> interrupted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void init() throws IOException {
        repo = Repository.init(Storages.open(StorageUrl.parse(dir.resolve("repo").toString())),
                new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
        work = Files.createDirectories(dir.resolve("work"));
    }

    /** A job that leaves a partial file while it runs and removes it however it ends, as a backup does. */
    private SubjectJob job() {
        return (subject, ctx) -> {
            ctx.recordIn(repo);
            Path partial = work.resolve(ctx.runId() + ".partial");
            try {
                Files.writeString(partial, "half a backup");
                if (!release.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("never released");
                }
                return new RunResult() {
                };
            } catch (InterruptedException e) {
                interrupted.add(ctx.runId());
                throw new ArcaException(ErrorCode.INTERRUPTED, "backup of '" + subject.name() + "' interrupted",
                        null, e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException e) {
                    // the assertion on the directory says it
                }
            }
        };
    }

    private ArcaServer server(String shutdown, String grace) {
        ArcaConfig config = Configs.config(dir.resolve("repo").toString(),
                new ArcaConfig.Server(null, null, null, 1, null, "skip", shutdown, grace, null),
                Configs.schedules("UTC", "0 2 1 1 *"), "app", "crm");
        return ArcaServer.builder(config).identity("test-host").listen("127.0.0.1:0").history((j, s) -> Optional.empty())
                .jobs(j -> job()).unwind(WAIT).start();
    }

    private RunState running(ArcaServer server) {
        RunState s = server.queue().submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API);
        await().atMost(WAIT).until(() -> server.queue().state(s.runId()).orElseThrow().state()
                .equals(RunState.RUNNING) && partials() == 1);
        return s;
    }

    private long partials() throws IOException {
        try (var files = Files.list(work)) {
            return files.count();
        }
    }

    @Test
    void finishLetsTheRunningJobEndAndCancelsTheQueuedOnes() throws Exception {
        ArcaServer server = server("finish", "10m");
        RunState run = running(server);
        RunState queued = server.queue().submit(RunRecord.Job.BACKUP, "crm", RunRecord.Trigger.API);

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> server.shutdown(
                ServerSettings.Shutdown.FINISH));

        await().atMost(WAIT).until(() -> !server.readiness().ready());
        // still serving while the job finishes, but not ready
        HttpResponse<String> readyz = Http.get(server.port(), "/readyz");
        assertThat(readyz.statusCode()).isEqualTo(503);
        assertThat(readyz.body()).contains("shutting down");
        assertThat(server.queue().state(queued.runId()).orElseThrow().state()).isEqualTo(RunState.CANCELLED);
        assertThatThrownBy(() -> server.queue().submit(RunRecord.Job.BACKUP, "crm", RunRecord.Trigger.API))
                .isInstanceOf(ArcaException.class).hasMessageContaining("shutting down");
        assertThat(shutdown).isNotDone();
        assertThat(server.queue().state(run.runId()).orElseThrow().state()).isEqualTo(RunState.RUNNING);

        release.countDown();

        shutdown.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(server.awaitStopped(Duration.ZERO)).isTrue();
        assertThat(interrupted).isEmpty();
        RunRecord record = repo.runs().find(run.runId()).orElseThrow();
        assertThat(record.outcome()).isEqualTo(RunRecord.SUCCEEDED);
        assertThat(repo.runs().find(queued.runId())).isEmpty();
        assertThat(partials()).isZero();
    }

    @Test
    void finishInterruptsAJobStillRunningAfterTheGracePeriod() throws Exception {
        ArcaServer server = server("finish", "2s");
        RunState run = running(server);
        Instant asked = Instant.now();

        server.close();

        assertThat(Duration.between(asked, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(interrupted).containsExactly(run.runId());
        RunRecord record = repo.runs().find(run.runId()).orElseThrow();
        assertThat(record.outcome()).isEqualTo(RunRecord.FAILED);
        assertThat(record.errorCode()).isEqualTo("ARCA-" + ErrorCode.INTERRUPTED.number());
        assertThat(partials()).isZero();
    }

    @Test
    void abortInterruptsAtOnce() throws Exception {
        ArcaServer server = server("abort", "10m");
        RunState run = running(server);
        Instant asked = Instant.now();

        server.close();

        assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofSeconds(10));
        assertThat(interrupted).containsExactly(run.runId());
        RunRecord record = repo.runs().find(run.runId()).orElseThrow();
        assertThat(record.outcome()).isEqualTo(RunRecord.FAILED);
        assertThat(record.message()).isEqualTo("backup of 'app' interrupted");
        assertThat(partials()).isZero();
    }

    @Test
    void anAbortDuringAFinishCutsTheGraceShort() throws Exception {
        ArcaServer server = server("finish", "10m");
        RunState run = running(server);
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::close);
        await().atMost(WAIT).until(() -> !server.readiness().ready());

        server.abort();

        shutdown.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(interrupted).containsExactly(run.runId());
        assertThat(repo.runs().find(run.runId()).orElseThrow().outcome()).isEqualTo(RunRecord.FAILED);
    }
}

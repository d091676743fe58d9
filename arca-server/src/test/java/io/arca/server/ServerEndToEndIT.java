package io.arca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.app.config.ArcaConfig;
import io.arca.app.config.ConfigLoader;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.postgres.local.LocalCluster;
import io.arca.postgres.local.ServerUser;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arca server} end to end, against a real PostgreSQL: a backup every three seconds
 * succeeds; the database is stopped, and the failed backup becomes a run record, a metric, a
 * failure notification and a missed RPO; the database is started, and the next backup's success
 * is a recovery, told as such, with the RPO met again.
 *
 * <p>The configuration is read as {@code arca server} reads it ({@link ConfigLoader}); only its
 * backup schedule is then replaced by one in seconds (cron-utils' Quartz syntax), since five-field
 * cron cannot fire more often than once a minute.
 */
class ServerEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String EVERY_3S = "0/3 * * * * ?";

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    Path dir;

    @Test
    void backupsFailWhileTheDatabaseIsDownAndRecoverWhenItIsBack() throws Exception {
        String db = PG.createDatabase("app");
        PG.cluster().execute(db, "create table orders (id int primary key, total numeric)",
                "insert into orders select g, g * 1.5 from generate_series(1, 1000) g");
        Path repoDir = dir.resolve("repo");
        Repository repo = Repository.init(Storages.open(StorageUrl.parse(repoDir.toString())),
                new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
        List<String> log = new CopyOnWriteArrayList<>();

        try (WebhookReceiver hook = new WebhookReceiver()) {
            ArcaConfig config = withSchedule(ConfigLoader.of(Map.of()).load("""
                    repositories:
                      main:
                        url: %s
                    subjects:
                      app:
                        repositories: [main]
                        database: %s
                        passwordEnv: APP_DB_PASSWORD
                        schedules:
                          backup: "* * * * *"
                        objectives:
                          rpo: 8s
                          rto: none
                          drillWithin: none
                    notifications:
                      - type: webhook
                        url: %s
                    server:
                      listen: 127.0.0.1:0
                      missedRuns: skip
                      shutdownGrace: 30s
                    """.formatted(repoDir, PG.url(db), hook.url()), "arca.yaml", List.of()), "app", EVERY_3S);
            ArcaServer server = ArcaServer.builder(config).environment(Map.of("APP_DB_PASSWORD",
                    PG.cluster().password())).fireTimes(SecondsCron.reader()).metricsRefresh(Duration.ofSeconds(1))
                    .log(log::add).start();
            try {
                // backups succeed
                Instant began = Instant.now();
                RunRecord ok = await().atMost(WAIT).until(() -> newest(repo, began, RunRecord.SUCCEEDED),
                        Optional::isPresent).orElseThrow();
                assertThat(ok.trigger()).isEqualTo("schedule");
                assertThat(ok.backupId()).isNotNull();
                assertThat(repo.list()).extracting(m -> m.id().value()).contains(ok.backupId());
                await().atMost(WAIT).until(() -> metric(server, "arca_job_last_run_success") == 1.0);
                // no backup when it started: the RPO was missed, and is met now
                await().atMost(WAIT).until(() -> hook.events("objective-met").size() == 1);
                assertThat(hook.events("objective-missed")).hasSize(1);

                // the database stops: a failed run record, a metric, a notification, a missed RPO
                PgCtl.stop(PG.cluster());
                Instant stopped = Instant.now();
                RunRecord failed = await().atMost(WAIT).until(() -> newest(repo, stopped, RunRecord.FAILED),
                        Optional::isPresent).orElseThrow();
                assertThat(failed.errorCode()).isEqualTo("ARCA-" + ErrorCode.PG_CONNECTION.number());
                await().atMost(WAIT).until(() -> Http.get(server.port(), "/api/v1/runs?subject=app&outcome=failed")
                        .body().contains(failed.runId()));
                await().atMost(WAIT).until(() -> metric(server, "arca_job_last_run_success") == 0.0);
                assertThat(metric(server, "arca_job_last_failure_timestamp_seconds"))
                        .isGreaterThanOrEqualTo(stopped.getEpochSecond() - 1.0);
                await().atMost(WAIT).until(() -> !hook.events("failure").isEmpty());
                JsonNode failure = hook.events("failure").get(0);
                assertThat(failure.path("subject").asText()).isEqualTo("app");
                assertThat(failure.path("job").asText()).isEqualTo("backup");
                assertThat(failure.path("errorCode").asText()).isEqualTo(failed.errorCode());
                // no backup for longer than the RPO
                await().atMost(WAIT).until(() -> hook.events("objective-missed").size() == 2);
                assertThat(hook.events("objective-missed").get(1).path("objectives")).singleElement()
                        .satisfies(o -> assertThat(o.path("objective").asText()).isEqualTo("rpo"));

                // the database is back: the next backup succeeds, told as a recovery
                PgCtl.start(PG.cluster());
                Instant restarted = Instant.now();
                RunRecord recovered = await().atMost(WAIT).until(() -> newest(repo, restarted,
                        RunRecord.SUCCEEDED), Optional::isPresent).orElseThrow();
                await().atMost(WAIT).until(() -> metric(server, "arca_job_last_run_success") == 1.0);
                await().atMost(WAIT).until(() -> !hook.events("recovery").isEmpty());
                JsonNode recovery = hook.events("recovery").get(0);
                assertThat(recovery.path("subject").asText()).isEqualTo("app");
                assertThat(recovery.path("previous").path("outcome").asText()).isEqualTo(RunRecord.FAILED);
                await().atMost(WAIT).until(() -> hook.events("objective-met").size() == 2);
                assertThat(repo.list()).extracting(m -> m.id().value()).contains(recovered.backupId());
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\nserver log:\n" + String.join("\n", log)
                        + "\nnotifications:\n" + hook.received, e);
            } finally {
                server.shutdown(ServerSettings.Shutdown.FINISH);
            }
            assertThat(log).anyMatch(l -> l.startsWith("listening on http://127.0.0.1:")).contains("stopped");
        }
    }

    /** {@code config} with {@code subject}'s backup schedule replaced. */
    private static ArcaConfig withSchedule(ArcaConfig config, String subject, String backup) {
        Map<String, ArcaConfig.SubjectEntry> subjects = new LinkedHashMap<>(config.subjects());
        ArcaConfig.SubjectEntry s = subjects.get(subject);
        ArcaConfig.Schedules old = s.schedules();
        subjects.put(subject, new ArcaConfig.SubjectEntry(s.repositories(), s.database(), s.passwordEnv(),
                s.sources(), s.backup(), new ArcaConfig.Schedules(old.timezone(), backup, old.physicalBackup(),
                        old.verify(), old.drill(), old.prune(), old.walReceive()), s.objectives(), s.retention(),
                s.drill()));
        return new ArcaConfig(config.repositories(), subjects, config.notifications(), config.server(), config.runs());
    }

    /** The newest backup run with {@code outcome} that started at or after {@code since}. */
    private static Optional<RunRecord> newest(Repository repo, Instant since, String outcome) {
        return repo.runs().list(since).stream()
                .filter(r -> r.job().equals("backup") && r.outcome().equals(outcome)).findFirst();
    }

    private static final Pattern SAMPLE = Pattern.compile("(?m)^(\\w+)\\{([^}]*)\\} (\\S+)$");

    /** The value of {@code name} for subject app and job backup in {@code /metrics}, or NaN when absent. */
    private static double metric(ArcaServer server, String name) {
        String text = Http.get(server.port(), "/metrics").body();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(name) && m.group(2).contains("subject=\"app\"")
                    && m.group(2).contains("job_name=\"backup\"")) {
                return Double.parseDouble(m.group(3));
            }
        }
        return Double.NaN;
    }

    /** Stops and starts the test's cluster in place, as an outage of the database would. */
    static final class PgCtl {
        private PgCtl() {
        }

        static void stop(LocalCluster c) throws IOException, InterruptedException {
            run(c, List.of("-D", c.dataDirectory().toString(), "-m", "fast", "-w", "-t", "60", "stop"));
        }

        static void start(LocalCluster c) throws IOException, InterruptedException {
            run(c, List.of("-D", c.dataDirectory().toString(), "-l", c.logFile().toString(), "-w", "-t", "60", "-o",
                    "-p " + c.port() + " -c listen_addresses=" + c.host() + " -c unix_socket_directories="
                            + c.socketDirectory(), "start"));
        }

        private static void run(LocalCluster c, List<String> args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            if (ServerUser.jvmIsRoot()) {
                command.addAll(List.of("runuser", "-u", ServerUser.OS_USER, "--"));
            }
            command.add(c.binDirectory().resolve("pg_ctl").toString());
            command.addAll(args);
            Path out = Files.createTempFile("pg_ctl", ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("pg_ctl " + args.get(args.size() - 1) + " failed: "
                        + Files.readString(out));
            }
            Files.deleteIfExists(out);
        }
    }
}

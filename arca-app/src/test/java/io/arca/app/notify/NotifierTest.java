package io.arca.app.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arca.app.config.ArcaConfig;
import io.arca.app.job.RunRecorder;
import io.arca.app.job.RunResult;
import io.arca.app.status.StatusReport;
import io.arca.app.status.SubjectStatus;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.local.LocalFileStorage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier driven by real runs ({@link RunRecorder}) whose records go to a repository on
 * local disk, sending to a real HTTP receiver: when it notifies, and that it never holds up a run.
 */
class NotifierTest {
    private static final String KEY = "k3y-for-the-tests";
    private static final Map<String, String> ENV = Map.of("HOOK_SECRET", KEY);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final SteppingClock clock = new SteppingClock(Instant.parse("2026-03-01T02:00:00Z"));
    private final List<String> logs = new CopyOnWriteArrayList<>();
    private Repository repo;
    private Receiver receiver;

    @BeforeEach
    void setUp() throws Exception {
        repo = Repository.init(new LocalFileStorage(dir.resolve("repo")), new RepositoryConfig.Defaults("zstd:3"),
                clock);
        receiver = Receiver.always(200);
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    @Test
    void failureThenRecoverySendsExactlyTwoNotificationsAcrossOneShotRuns() throws Exception {
        String failed = cliRun(false);
        String recovered = cliRun(true);
        cliRun(true); // a success after a success says nothing

        List<JsonNode> sent = bodies();
        assertThat(sent).extracting(b -> b.get("event").asText()).containsExactly("failure", "recovery");
        assertThat(sent.get(0).get("runId").asText()).isEqualTo(failed);
        assertThat(sent.get(0).get("errorCode").asText()).isEqualTo("ARCA-1500");
        assertThat(sent.get(1).get("runId").asText()).isEqualTo(recovered);
        assertThat(sent.get(1).get("previous").get("runId").asText()).isEqualTo(failed);
        assertThat(sent.get(1).get("previous").get("outcome").asText()).isEqualTo("failed");
        assertThat(logs).isEmpty();
    }

    @Test
    void twoFailuresInARowSendTwoFailuresAndNoRecovery() throws Exception {
        cliRun(false);
        cliRun(false);
        assertThat(bodies()).extracting(b -> b.get("event").asText()).containsExactly("failure", "failure");

        String recovered = cliRun(true);
        assertThat(bodies()).extracting(b -> b.get("event").asText()).containsExactly("failure", "failure",
                "recovery");
        assertThat(bodies().get(2).get("runId").asText()).isEqualTo(recovered);
    }

    @Test
    void oneLongLivedNotifierAsInTheServer() throws Exception {
        try (Notifier notifier = notifier(PreviousOutcomes.of(repo.runs()), webhook(List.of()))) {
            RunRecorder recorder = new RunRecorder(clock, "test-host", notifier);
            run(recorder, RunRecord.Job.BACKUP, "app", false);
            run(recorder, RunRecord.Job.BACKUP, "app", true);
            run(recorder, RunRecord.Job.BACKUP, "app", true);
            run(recorder, RunRecord.Job.BACKUP, "app", false);
            run(recorder, RunRecord.Job.BACKUP, "app", false);
        }
        assertThat(bodies()).extracting(b -> b.get("event").asText()).containsExactly("failure", "recovery",
                "failure", "failure");
    }

    @Test
    void aRecoveryIsPerJobAndSubject() throws Exception {
        try (Notifier notifier = notifier(PreviousOutcomes.of(repo.runs()), webhook(List.of()))) {
            RunRecorder recorder = new RunRecorder(clock, "test-host", notifier);
            run(recorder, RunRecord.Job.BACKUP, "app", false);
            run(recorder, RunRecord.Job.VERIFY, "app", true);
            run(recorder, RunRecord.Job.BACKUP, "billing", true);
        }
        assertThat(bodies()).extracting(b -> b.get("event").asText()).containsExactly("failure");
    }

    @Test
    void aPartialRunIsAFailure() throws Exception {
        try (Notifier notifier = notifier(PreviousOutcomes.of(repo.runs()), webhook(List.of()))) {
            RunRecorder recorder = new RunRecorder(clock, "test-host", notifier);
            recorder.run(null, RunRecord.Job.BACKUP, "app", RunRecord.Trigger.SCHEDULE, List.of(repo),
                    ctx -> new RunResult() {
                        @Override
                        public ArcaException partialFailure() {
                            return new ArcaException(ErrorCode.PARTIAL, "copy to 's3://second/prod' failed");
                        }
                    });
        }
        JsonNode body = bodies().get(0);
        assertThat(body.get("event").asText()).isEqualTo("failure");
        assertThat(body.get("outcome").asText()).isEqualTo("partial");
        assertThat(body.get("title").asText()).isEqualTo("backup of app partly failed (ARCA-1003)");
    }

    @Test
    void withoutHistoryItJudgesFromTheRunsItSaw() throws Exception {
        PreviousOutcomes broken = (job, subject, runId, startedAt) -> {
            throw new ArcaException(ErrorCode.STORAGE_TRANSIENT, "storage 's3://down/prod' timed out");
        };
        try (Notifier notifier = notifier(broken, webhook(List.of()))) {
            RunRecorder recorder = new RunRecorder(clock, "test-host", notifier);
            run(recorder, RunRecord.Job.BACKUP, "app", false);
            run(recorder, RunRecord.Job.BACKUP, "app", true);
        }
        assertThat(bodies()).extracting(b -> b.get("event").asText()).containsExactly("failure", "recovery");
        assertThat(logs).hasSize(2).allSatisfy(l -> assertThat(l).contains("could not be read")
                .contains("storage 's3://down/prod' timed out"));
    }

    @Test
    void aChannelTakesOnlyTheEventsItsOnListNames() throws Exception {
        try (Notifier notifier = notifier(PreviousOutcomes.of(repo.runs()), webhook(List.of("recovery")))) {
            RunRecorder recorder = new RunRecorder(clock, "test-host", notifier);
            run(recorder, RunRecord.Job.BACKUP, "app", false);
            run(recorder, RunRecord.Job.BACKUP, "app", true);
            notifier.objectivesChecked(Map.of("app", List.of(new ObjectiveMiss("rpo", "too old"))));
        }
        assertThat(bodies()).extracting(b -> b.get("event").asText()).containsExactly("recovery");
    }

    @Test
    void objectivesNotifyWhenMissingStartsAndWhenItEnds() throws Exception {
        try (Notifier notifier = notifier(PreviousOutcomes.NONE, webhook(List.of("objective")))) {
            ObjectiveMiss rpo40 = new ObjectiveMiss("rpo", "newest backup is 40h old; rpo is 36h");
            ObjectiveMiss rpo41 = new ObjectiveMiss("rpo", "newest backup is 41h old; rpo is 36h");
            ObjectiveMiss rto = new ObjectiveMiss("rto", "last drill took 5h; rto is 4h");
            notifier.objectivesChecked(Map.of("app", List.of(rpo40), "billing", List.of()));
            notifier.awaitIdle(Duration.ofSeconds(30));
            assertThat(events()).containsExactly("objective-missed");

            notifier.objectivesChecked(Map.of("app", List.of(rpo41), "billing", List.of()));
            notifier.objectivesChecked(Map.of("billing", List.of())); // app not checked: no change
            notifier.awaitIdle(Duration.ofSeconds(30));
            assertThat(events()).containsExactly("objective-missed");

            notifier.objectivesChecked(Map.of("app", List.of(rpo41, rto)));
            notifier.objectivesChecked(Map.of("app", List.of(rto)));
            notifier.awaitIdle(Duration.ofSeconds(30));
            assertThat(events()).containsExactly("objective-missed", "objective-missed");

            notifier.objectivesChecked(Map.of("app", List.of()));
            notifier.objectivesChecked(Map.of("app", List.of()));
        }
        assertThat(events()).containsExactly("objective-missed", "objective-missed", "objective-met");
        List<JsonNode> sent = bodies();
        assertThat(sent.get(0).get("subject").asText()).isEqualTo("app");
        assertThat(sent.get(0).get("errorCode").asText()).isEqualTo("ARCA-1009");
        assertThat(sent.get(0).get("objectives").get(0).get("message").asText())
                .isEqualTo("newest backup is 40h old; rpo is 36h");
        assertThat(sent.get(1).get("objectives")).hasSize(2);
        assertThat(sent.get(1).get("title").asText()).isEqualTo("app misses its objectives (rpo, rto)");
        assertThat(sent.get(2).get("message").asText()).contains("rto");
    }

    @Test
    void objectivesFromAStatusReport() throws Exception {
        SubjectStatus app = status("app", List.of("newest backup is 1d16h old, RPO is 1d12h"),
                List.of("measured RTO 5h exceeds the RTO of 4h"), false, null);
        SubjectStatus billing = status("billing", List.of(), List.of("last drill 20260301T020000Z-0a1b2c3d failed"),
                null, null);
        SubjectStatus web = status("web", List.of(), List.of(), true, true);
        assertThat(ObjectiveMiss.of(app)).extracting(ObjectiveMiss::objective).containsExactly("rpo", "rto");
        assertThat(ObjectiveMiss.of(billing)).extracting(ObjectiveMiss::objective).containsExactly("drill");
        assertThat(ObjectiveMiss.of(web)).isEmpty();
        try (Notifier notifier = notifier(PreviousOutcomes.NONE, webhook(List.of("objective")))) {
            notifier.objectivesChecked(new StatusReport(Instant.now(), "file:/backups", List.of(app, billing, web),
                    List.of()));
            notifier.awaitIdle(Duration.ofSeconds(30));
            notifier.objectivesChecked(new StatusReport(Instant.now(), "file:/backups",
                    List.of(status("app", List.of(), List.of(), true, null), billing, web), List.of()));
        }
        List<JsonNode> sent = bodies();
        assertThat(sent).extracting(b -> b.get("event").asText() + " " + b.get("subject").asText())
                .containsExactlyInAnyOrder("objective-missed app", "objective-missed billing", "objective-met app");
        assertThat(sent.get(sent.size() - 1).get("message").asText())
                .isEqualTo("meets its objectives again (missed before: rpo, rto)");
    }

    private static SubjectStatus status(String subject, List<String> backupProblems, List<String> drillProblems,
            Boolean rtoMet, Boolean drillWithinMet) {
        return new SubjectStatus(subject, null, null, null, backupProblems.isEmpty(), null, null, null, null, null,
                rtoMet, drillWithinMet, Map.of(), backupProblems, drillProblems, List.of());
    }

    @Test
    void aSlowReceiverNeverHoldsUpTheRun() throws Exception {
        receiver.hold();
        try (Notifier notifier = notifier(PreviousOutcomes.of(repo.runs()), webhook(List.of()))) {
            RunRecorder recorder = new RunRecorder(clock, "test-host", notifier);
            // the receiver holds the request for up to 30 s: a run that waited for it would time out here
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                run(recorder, RunRecord.Job.BACKUP, "app", false);
                run(recorder, RunRecord.Job.BACKUP, "app", true);
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() >= 1);
            receiver.open();
        }
        assertThat(events()).containsExactlyInAnyOrder("failure", "recovery");
    }

    @Test
    void closeGivesUpOnAStuckReceiverAfterItsTimeoutAndSaysSo() throws Exception {
        receiver.hold();
        Notifier.Options options = quick().withTimeout(Duration.ofSeconds(30), Duration.ofMillis(300));
        Notifier notifier = Notifier.from(config(webhook(List.of())), ENV, PreviousOutcomes.NONE, clock, logs::add,
                options);
        run(new RunRecorder(clock, "test-host", notifier), RunRecord.Job.BACKUP, "app", false);
        assertTimeoutPreemptively(Duration.ofSeconds(10), notifier::close);
        assertThat(logs).anySatisfy(l -> assertThat(l).contains("still under way").contains("abandoned"));
    }

    @Test
    void aBrokenChannelOrLogNeverFailsTheRun() {
        Channel broken = new Channel() {
            @Override
            public String describe() {
                return "broken";
            }

            @Override
            public void send(Notice notice, String deliveryId) {
                throw new IllegalStateException("bug");
            }
        };
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Notifier notifier = new Notifier(List.of(Route.all(broken)), PreviousOutcomes.NONE, clock, line -> {
            seen.add(line);
            throw new IllegalStateException("the log is broken too");
        }, quick())) {
            RunRecorder recorder = new RunRecorder(clock, "test-host", notifier);
            assertThatThrownBy(() -> recorder.run(null, RunRecord.Job.BACKUP, "app", RunRecord.Trigger.CLI,
                    List.of(repo), ctx -> {
                        throw new ArcaException(ErrorCode.PG_CONNECTION, "refused");
                    })).isInstanceOf(ArcaException.class).hasMessage("refused");
        }
        assertThat(seen).singleElement().asString().contains("via broken failed after 1 attempt")
                .contains("internal error in the channel: java.lang.IllegalStateException");
    }

    @Test
    void withoutNotificationsItDoesNothing() {
        try (Notifier notifier = Notifier.from(new ArcaConfig(Map.of(), Map.of(), null, null, null), Map.of(),
                PreviousOutcomes.of(repo.runs()), clock, logs::add)) {
            assertThat(notifier.active()).isFalse();
            run(new RunRecorder(clock, "test-host", notifier), RunRecord.Job.BACKUP, "app", false);
        }
        assertThat(receiver.requests()).isEmpty();
        assertThat(logs).isEmpty();
    }

    // --- helpers

    /** One CLI run (a CronJob): a new notifier over the repository's history, closed as the process ends. */
    private String cliRun(boolean succeed) {
        try (Notifier notifier = notifier(PreviousOutcomes.of(repo.runs()), webhook(List.of()))) {
            return run(new RunRecorder(clock, "test-host", notifier), RunRecord.Job.BACKUP, "app", succeed);
        }
    }

    private String run(RunRecorder recorder, RunRecord.Job job, String subject, boolean succeed) {
        String runId = recorder.newRunId();
        try {
            recorder.run(runId, job, subject, RunRecord.Trigger.CLI, List.of(repo), ctx -> {
                if (!succeed) {
                    throw new ArcaException(ErrorCode.PG_CONNECTION, "cannot connect to 127.0.0.1:1",
                            "start the database");
                }
                return new RunResult() {
                    @Override
                    public String backupId() {
                        return "20260301T020000Z-0a1b2c3d";
                    }
                };
            });
            assertThat(succeed).as("the run succeeded").isTrue();
        } catch (ArcaException e) {
            assertThat(succeed).as("the run failed: " + e.getMessage()).isFalse();
        }
        return runId;
    }

    private Notifier notifier(PreviousOutcomes previous, ArcaConfig.Notification... channels) {
        return Notifier.from(config(channels), ENV, previous, clock, logs::add, quick());
    }

    /** Retries without waiting, and a tight close. */
    private static Notifier.Options quick() {
        return Notifier.Options.defaults().withRetry(new Delivery.Policy(3, Duration.ofMillis(1),
                Duration.ofMillis(4)), d -> { });
    }

    private static ArcaConfig config(ArcaConfig.Notification... channels) {
        return new ArcaConfig(Map.of(), Map.of(), List.of(channels), null, null);
    }

    private ArcaConfig.Notification webhook(List<String> on) {
        URI url = receiver.url("/arca");
        return new ArcaConfig.Notification("webhook", url.toString(), null, "HOOK_SECRET", null, on, null, null,
                null);
    }

    /** The bodies received, each checked against its signature. */
    private List<JsonNode> bodies() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Receiver.Request r : receiver.requests()) {
            String ts = r.header(WebhookSignature.TIMESTAMP_HEADER);
            assertThat(WebhookSignature.verify(KEY.getBytes(StandardCharsets.UTF_8), ts,
                    r.header(WebhookSignature.SIGNATURE_HEADER), r.body(), Instant.ofEpochSecond(Long.parseLong(ts)),
                    Duration.ofMinutes(5))).as("signature of %s", r.text()).isTrue();
            out.add(JSON.readTree(r.body()));
        }
        return out;
    }

    private List<String> events() throws Exception {
        return bodies().stream().map(b -> b.get("event").asText()).toList();
    }
}

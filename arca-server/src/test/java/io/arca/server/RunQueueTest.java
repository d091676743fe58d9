package io.arca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.arca.app.config.ArcaConfig;
import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ArcaConfig CONFIG = Configs.config("/nowhere", null, null, "app", "crm", "shop");

    private final GateJob gate = new GateJob();
    private final List<JobEvent> events = new CopyOnWriteArrayList<>();
    private ServerRunQueue queue;

    private ServerRunQueue queue(int concurrency) {
        queue = new ServerRunQueue(CONFIG, Map.of(), concurrency, Clock.systemUTC(), "test-host", events::add,
                job -> job == RunRecord.Job.VERIFY ? (s, ctx) -> {
                    throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "backup 'x' failed its checks");
                } : gate);
        return queue;
    }

    @AfterEach
    void stop() {
        if (queue != null) {
            queue.shutdown(Duration.ZERO, WAIT);
        }
    }

    @Test
    void runsOfOneSubjectRunOneAfterTheOther() {
        queue(4);
        RunState first = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API);
        RunState second = queue.submit(RunRecord.Job.PRUNE, "app", RunRecord.Trigger.SCHEDULE);

        await().atMost(WAIT).until(() -> state(first).equals(RunState.RUNNING));
        assertThat(state(second)).isEqualTo(RunState.QUEUED);
        assertThat(gate.started).containsExactly("app");

        gate.open("app");

        await().atMost(WAIT).until(() -> state(second).equals(RunRecord.SUCCEEDED));
        assertThat(state(first)).isEqualTo(RunRecord.SUCCEEDED);
        assertThat(gate.started).containsExactly("app", "app");
        assertThat(gate.mostAtOnce).hasValue(1);
    }

    @Test
    void noMoreRunsAtOnceThanTheConcurrencyAndABusySubjectDoesNotHoldUpOthers() {
        queue(2);
        RunState app = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API);
        RunState appAgain = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API);
        RunState crm = queue.submit(RunRecord.Job.BACKUP, "crm", RunRecord.Trigger.API);
        RunState shop = queue.submit(RunRecord.Job.BACKUP, "shop", RunRecord.Trigger.API);

        // the second run of app waits for app; crm goes ahead of it; shop waits for a slot
        await().atMost(WAIT).until(() -> gate.running.get() == 2);
        assertThat(gate.started).containsExactlyInAnyOrder("app", "crm");
        assertThat(List.of(state(app), state(appAgain), state(crm), state(shop)))
                .containsExactly(RunState.RUNNING, RunState.QUEUED, RunState.RUNNING, RunState.QUEUED);
        assertThat(queue.active()).extracting(RunState::runId)
                .containsExactly(app.runId(), appAgain.runId(), crm.runId(), shop.runId());

        gate.open("crm");
        await().atMost(WAIT).until(() -> state(shop).equals(RunState.RUNNING));
        assertThat(state(appAgain)).isEqualTo(RunState.QUEUED);

        gate.open("shop");
        gate.open("app");
        await().atMost(WAIT).until(() -> queue.active().isEmpty());
        assertThat(gate.mostAtOnce).hasValue(2);
        assertThat(gate.started).hasSize(4);
    }

    @Test
    void aFinishedRunHasItsRecordAndAFailedOneItsErrorCode() {
        queue(2);
        gate.open("app");
        RunState queued = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API);
        assertThat(queued.state()).isIn(RunState.QUEUED, RunState.RUNNING);
        assertThat(queued.trigger()).isEqualTo("api");
        assertThat(queued.job()).isEqualTo("backup");
        RunState failed = queue.submit(RunRecord.Job.VERIFY, "crm", RunRecord.Trigger.SCHEDULE);

        await().atMost(WAIT).until(() -> queue.active().isEmpty());
        RunState ok = queue.state(queued.runId()).orElseThrow();
        assertThat(ok.state()).isEqualTo(RunRecord.SUCCEEDED);
        assertThat(ok.startedAt()).isNotNull();
        assertThat(ok.record().bytes()).isEqualTo(42L);
        assertThat(ok.record().runId()).isEqualTo(queued.runId());
        assertThat(ok.record().host()).isEqualTo("test-host");
        RunState bad = queue.state(failed.runId()).orElseThrow();
        assertThat(bad.state()).isEqualTo(RunRecord.FAILED);
        assertThat(bad.record().errorCode()).isEqualTo("ARCA-" + ErrorCode.VERIFICATION_FAILED.number());
        assertThat(bad.record().trigger()).isEqualTo("schedule");
        // every run's events reach the listener: started, then finished
        assertThat(events).filteredOn(e -> e.runId().equals(failed.runId())).first()
                .isInstanceOf(JobEvent.Started.class);
        assertThat(events).filteredOn(e -> e.runId().equals(failed.runId())).last()
                .isInstanceOf(JobEvent.Finished.class);
    }

    @Test
    void onlyTheNewestFinishedStatesAreKept() {
        queue(2);
        gate.open("app");
        String first = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API).runId();
        String last = null;
        for (int i = 0; i < ServerRunQueue.FINISHED_KEPT; i++) {
            last = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API).runId();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> queue.active().isEmpty());
        assertThat(queue.state(last)).isPresent();
        assertThat(queue.state(first)).isEmpty();
        assertThat(queue.state("20260101T000000Z-0000abcd")).isEmpty();
    }

    @Test
    void badRequestsAreRefused() {
        queue(2);
        assertThatThrownBy(() -> queue.submit(RunRecord.Job.BACKUP, "nope", RunRecord.Trigger.API))
                .isInstanceOf(UsageException.class).hasMessage("no subject 'nope' in the configuration");
        assertThatThrownBy(() -> queue.submit(RunRecord.Job.COPY, "app", RunRecord.Trigger.API))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("copy does not run on its own");
        assertThatThrownBy(() -> queue.submit(RunRecord.Job.WAL_RECEIVE, "app", RunRecord.Trigger.API))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("wal-receive is not started on request");
        assertThat(queue.active()).isEmpty();
    }

    @Test
    void walReceiveTakesNoSlotAndDoesNotBlockItsSubject() {
        queue(1);
        RunState wal = queue.submit(RunRecord.Job.WAL_RECEIVE, "app", RunRecord.Trigger.SCHEDULE);
        RunState again = queue.submit(RunRecord.Job.WAL_RECEIVE, "app", RunRecord.Trigger.SCHEDULE);
        RunState backup = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API);

        assertThat(again.runId()).isEqualTo(wal.runId());
        await().atMost(WAIT).until(() -> gate.running.get() == 2);
        assertThat(state(wal)).isEqualTo(RunState.RUNNING);
        assertThat(state(backup)).isEqualTo(RunState.RUNNING);
    }

    @Test
    void aReplicaThatDoesNotLeadRefusesRunsAndCancelsTheQueuedOnes() {
        queue(1);
        RunState running = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API);
        RunState waiting = queue.submit(RunRecord.Job.BACKUP, "crm", RunRecord.Trigger.API);
        await().atMost(WAIT).until(() -> state(running).equals(RunState.RUNNING));

        queue.leading(false);

        assertThat(state(waiting)).isEqualTo(RunState.CANCELLED);
        assertThat(state(running)).isEqualTo(RunState.RUNNING);
        assertThatThrownBy(() -> queue.submit(RunRecord.Job.BACKUP, "shop", RunRecord.Trigger.API))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_HELD));
        queue.leading(true);
        gate.open("shop");
        RunState now = queue.submit(RunRecord.Job.BACKUP, "shop", RunRecord.Trigger.API);
        gate.open("app");
        await().atMost(WAIT).until(() -> state(now).equals(RunRecord.SUCCEEDED));
    }

    @Test
    void theRecorderWritesEachRunsRecordToTheRepositoriesTheJobNamed(@TempDir Path dir) {
        Repository repo = Repository.init(Storages.open(StorageUrl.parse(dir.toString())),
                new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
        GateJob recording = new GateJob(repo, true);
        queue = new ServerRunQueue(CONFIG, Map.of(), 2, Clock.systemUTC(), "test-host", JobListener.NONE,
                job -> recording);

        RunState s = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.SCHEDULE);

        await().atMost(WAIT).until(() -> state(s).equals(RunRecord.SUCCEEDED));
        RunRecord written = repo.runs().find(s.runId()).orElseThrow();
        assertThat(written.subject()).isEqualTo("app");
        assertThat(written.trigger()).isEqualTo("schedule");
        assertThat(written.outcome()).isEqualTo(RunRecord.SUCCEEDED);
    }

    private String state(RunState s) {
        return queue.state(s.runId()).orElseThrow().state();
    }
}

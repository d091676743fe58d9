package io.arca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.arca.app.config.ArcaConfig;
import io.arca.app.event.JobEvent;
import io.arca.app.job.SubjectJob;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler on a clock the test moves: no waiting for real fire times. */
class SchedulerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** A Sunday, 01:00 in Berlin. */
    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

    private final TestClock clock = new TestClock(START);
    private final GateJob gate = new GateJob(null, true);
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<JobEvent.Started> started = new CopyOnWriteArrayList<>();
    private ServerRunQueue queue;
    private Scheduler scheduler;

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.close();
        }
        if (queue != null) {
            queue.shutdown(Duration.ZERO, WAIT);
        }
    }

    private Scheduler scheduler(ArcaConfig config, Random random, Scheduler.History history) {
        return scheduler(config, random, history, job -> gate);
    }

    private Scheduler scheduler(ArcaConfig config, Random random, Scheduler.History history,
            Function<RunRecord.Job, SubjectJob> jobs) {
        ServerSettings settings = ServerSettings.of(config);
        queue = new ServerRunQueue(config, Map.of(), settings.concurrency(), clock, "test-host", e -> {
            if (e instanceof JobEvent.Started st) {
                started.add(st);
            }
        }, jobs);
        scheduler = new Scheduler(config, settings, queue, clock, random, history, log::add);
        return scheduler;
    }

    private static Scheduler.History never() {
        return (job, subject) -> Optional.empty();
    }

    /** History that says every job ran just now: nothing is missed. */
    private Scheduler.History justRan() {
        return (job, subject) -> Optional.of(clock.instant());
    }

    @Test
    void theNextFireTimeIsTheCronTimeInTheSubjectsTimeZone() {
        ArcaConfig config = Configs.config("/nowhere", null,
                new ArcaConfig.Schedules("Europe/Berlin", "0 2 * * *", null, "30 3 * * 1", null, null, null), "app");
        Scheduler s = scheduler(config, new Random(1), justRan());

        s.plan();

        assertThat(s.planned()).containsExactly(
                new Scheduler.Planned("app", RunRecord.Job.BACKUP, Instant.parse("2026-03-01T01:00:00Z"),
                        Instant.parse("2026-03-01T01:00:00Z")),
                new Scheduler.Planned("app", RunRecord.Job.VERIFY, Instant.parse("2026-03-02T02:30:00Z"),
                        Instant.parse("2026-03-02T02:30:00Z")));
        assertThat(queue.active()).isEmpty();
    }

    @Test
    void aJobIsSubmittedWhenItIsDueAndThenPlannedForItsNextFireTime() {
        ArcaConfig config = Configs.config("/nowhere", null, Configs.schedules("UTC", "0 2 * * *"), "app");
        Scheduler s = scheduler(config, new Random(1), justRan());
        s.plan();

        clock.set(Instant.parse("2026-03-01T01:59:59Z"));
        assertThat(s.runDue()).isEqualTo(Instant.parse("2026-03-01T02:00:00Z"));
        assertThat(gate.started).isEmpty();

        clock.set(Instant.parse("2026-03-01T02:00:00Z"));
        Instant next = s.runDue();

        await().atMost(WAIT).until(() -> gate.started.size() == 1);
        assertThat(started).singleElement().extracting(JobEvent.Started::trigger).isEqualTo("schedule");
        assertThat(s.planned()).extracting(Scheduler.Planned::fireAt)
                .containsExactly(Instant.parse("2026-03-02T02:00:00Z"));
        // nothing due for a day: it sleeps no longer than MAX_SLEEP, to notice a wall clock set forward
        assertThat(next).isEqualTo(clock.instant().plus(Scheduler.MAX_SLEEP));
    }

    @Test
    void jitterDelaysEachRunByUpToTheConfiguredAmount() {
        long seed = new Random().nextLong();
        System.out.println("SchedulerTest jitter seed: " + seed);
        String[] names = new String[40];
        for (int i = 0; i < names.length; i++) {
            names[i] = "s" + i;
        }
        ArcaConfig config = Configs.config("/nowhere", Configs.server(2, "30s", null),
                Configs.schedules("UTC", "0 2 * * *"), names);
        Scheduler s = scheduler(config, new Random(seed), justRan());

        s.plan();

        Instant fire = Instant.parse("2026-03-01T02:00:00Z");
        List<Scheduler.Planned> planned = s.planned();
        assertThat(planned).hasSize(40).allSatisfy(p -> {
            assertThat(p.fireAt()).isEqualTo(fire);
            assertThat(p.dueAt()).isBetween(fire, fire.plusSeconds(30));
        });
        assertThat(planned.stream().map(Scheduler.Planned::dueAt).distinct().count()).isGreaterThan(20);

        // each is submitted at its own due time, not at the fire time
        Instant firstDue = planned.get(0).dueAt();
        clock.set(fire);
        s.runDue();
        assertThat(queue.active()).hasSize(firstDue.equals(fire) ? 1 : 0);
    }

    @Test
    void missedRunsRunOnceAtStartWhenTheLastRunIsOlderThanThePreviousFireTime() {
        ArcaConfig config = Configs.config("/nowhere", Configs.server(4, null, "once"),
                new ArcaConfig.Schedules("Europe/Berlin", "0 2 * * *", null, null, null, null, null),
                "app", "crm", "shop");
        // the previous fire time is 2026-02-28T01:00Z (02:00 in Berlin)
        Map<String, Instant> last = Map.of("app", Instant.parse("2026-02-27T01:00:05Z"),
                "crm", Instant.parse("2026-02-28T01:00:10Z"));
        Scheduler s = scheduler(config, new Random(1),
                (job, subject) -> Optional.ofNullable(last.get(subject)));

        s.plan();

        await().atMost(WAIT).until(() -> gate.started.size() == 2);
        assertThat(gate.started).containsExactlyInAnyOrder("app", "shop");
        assertThat(log).anyMatch(l -> l.startsWith("backup of 'app' was due at 2026-02-28T01:00:00Z"));
    }

    @Test
    void missedRunsAreSkippedWhenConfiguredSo() {
        ArcaConfig config = Configs.config("/nowhere", Configs.server(4, null, "skip"),
                Configs.schedules("UTC", "0 2 * * *"), "app", "shop");
        Scheduler s = scheduler(config, new Random(1), never());

        s.plan();

        assertThat(queue.active()).isEmpty();
        assertThat(gate.started).isEmpty();
        assertThat(s.planned()).hasSize(2);
    }

    @Test
    void theLastRunComesFromTheRunRecordsOfTheFirstRepository(@TempDir Path dir) {
        ArcaConfig config = Configs.config(dir.toString(), null, Configs.schedules("UTC", "0 2 * * *"), "app");
        RunLog runs = new RunLog(Storages.open(StorageUrl.parse(dir.toString())), clock);
        Instant earlier = Instant.parse("2026-02-26T02:00:01Z");
        Instant later = Instant.parse("2026-02-27T02:00:01Z");
        for (Instant at : List.of(earlier, later)) {
            runs.write(new RunRecord(RunRecord.FORMAT_VERSION, io.arca.core.repo.BackupId.generate(at, new Random(1))
                    .value(), "backup", "app", "schedule", "h", at, at.plusSeconds(5), RunRecord.SUCCEEDED, null, 0,
                    null, null, null, null, Map.of()));
        }
        RunLogHistory history = new RunLogHistory(config, clock);

        assertThat(history.lastRun(RunRecord.Job.BACKUP, "app")).contains(later);
        assertThat(history.lastRun(RunRecord.Job.VERIFY, "app")).isEmpty();

        // the previous fire (2026-02-28T02:00Z) is after the last run: it runs once
        scheduler(config, new Random(1), history).plan();
        await().atMost(WAIT).until(() -> gate.started.size() == 1);
    }

    @Test
    void aRunStillQueuedIsNotQueuedAgain() {
        GateJob closed = new GateJob();
        ArcaConfig config = Configs.config("/nowhere", null, Configs.schedules("UTC", "* * * * *"), "app");
        Scheduler s = scheduler(config, new Random(1), justRan(), job -> closed);
        s.plan();

        for (int minute = 1; minute <= 3; minute++) {
            clock.set(START.plus(Duration.ofMinutes(minute)));
            s.runDue();
        }

        // the first runs, the second waits for it, the third finds the second still queued
        await().atMost(WAIT).until(() -> closed.running.get() == 1);
        assertThat(queue.active()).extracting(RunState::state).containsExactly(RunState.RUNNING, RunState.QUEUED);
        assertThat(log).anyMatch(l -> l.contains("is still queued: not queued again"));
        closed.open("app");
    }

    @Test
    void walReceiveIsKeptRunningAndRestartedWithABackoff() {
        List<Instant> walStarts = new CopyOnWriteArrayList<>();
        ArcaConfig config = Configs.config("/nowhere", null,
                new ArcaConfig.Schedules(null, null, null, null, null, null, true), "app");
        Scheduler s = scheduler(config, new Random(1), never(), job -> (subject, ctx) -> {
            walStarts.add(clock.instant());
            throw new ArcaException(ErrorCode.PG_CONNECTION, "cannot connect to '127.0.0.1:1'");
        });

        s.plan();
        await().atMost(WAIT).until(() -> s.walRestartAt("app").isPresent());
        assertThat(s.walRestartAt("app")).contains(START.plus(Scheduler.WAL_BACKOFF_MIN));

        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Instant at = s.walRestartAt("app").orElseThrow();
            delays.add(Duration.between(clock.instant(), at));
            clock.set(at);
            int before = walStarts.size();
            s.runDue();
            await().atMost(WAIT).until(() -> walStarts.size() == before + 1
                    && s.walRestartAt("app").filter(next -> next.isAfter(at)).isPresent());
        }
        assertThat(delays).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20),
                Duration.ofSeconds(40), Duration.ofSeconds(80), Duration.ofSeconds(160), Duration.ofSeconds(300),
                Duration.ofSeconds(300));
    }

    @Test
    void anotherDialectFiresEveryFewSeconds() {
        ArcaConfig config = Configs.config("/nowhere", null, Configs.schedules("UTC", "0/5 * * * * ?"), "app");
        ServerSettings settings = ServerSettings.of(config);
        queue = new ServerRunQueue(config, Map.of(), 2, clock, "h", e -> { }, job -> gate);
        scheduler = new Scheduler(config, settings, queue, clock, new Random(1), justRan(), log::add,
                SecondsCron.reader());
        scheduler.plan();

        for (int i = 1; i <= 3; i++) {
            assertThat(scheduler.planned()).extracting(Scheduler.Planned::fireAt)
                    .containsExactly(START.plusSeconds(5L * i));
            clock.set(START.plusSeconds(5L * i));
            scheduler.runDue();
            int runs = i;
            // one at a time: a run still queued when the next is due would not be queued twice
            await().atMost(WAIT).until(() -> gate.started.size() == runs && queue.active().isEmpty());
        }
    }

    @Test
    void aScheduleThatIsNoCronExpressionIsRefusedWithItsField() {
        ArcaConfig config = Configs.config("/nowhere", null, Configs.schedules("UTC", "every night"), "app");
        assertThatThrownBy(() -> scheduler(config, new Random(1), never()))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("subjects.app.schedules.backup: invalid cron expression 'every night'");
        ArcaConfig zone = Configs.config("/nowhere", null, Configs.schedules("Mars/Olympus", "0 2 * * *"), "app");
        assertThatThrownBy(() -> scheduler(zone, new Random(1), never()))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("subjects.app.schedules.timezone: unknown time zone 'Mars/Olympus'");
    }

    @Test
    void anIdleSchedulerSleepsInsteadOfPolling() throws Exception {
        ArcaConfig config = Configs.config("/nowhere", null, Configs.schedules("UTC", "0 2 1 1 *"), "app");
        ServerSettings settings = ServerSettings.of(config);
        queue = new ServerRunQueue(config, Map.of(), 2, Clock.systemUTC(), "h", e -> { }, job -> gate);
        scheduler = new Scheduler(config, settings, queue, Clock.systemUTC(), new Random(1), justRanReal(), log::add);
        scheduler.start();
        Thread thread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("arca-scheduler")).findFirst().orElseThrow();
        var mx = ManagementFactory.getThreadMXBean();
        long cpuBefore = mx.getThreadCpuTime(thread.getId());
        long wallBefore = System.nanoTime();

        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);

        long cpu = mx.getThreadCpuTime(thread.getId()) - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        assertThat(thread.getState()).isEqualTo(Thread.State.TIMED_WAITING);
        // well under 1% of one core
        assertThat(cpu).isLessThan(wall / 1000);
    }

    private static Scheduler.History justRanReal() {
        return (job, subject) -> Optional.of(Instant.now());
    }

}

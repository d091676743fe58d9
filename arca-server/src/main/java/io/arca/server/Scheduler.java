package io.arca.server;

import io.arca.app.config.ArcaConfig;
import io.arca.app.config.CronSchedule;
import io.arca.core.error.UsageException;
import io.arca.core.repo.run.RunRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Submits each subject's jobs to the {@link ServerRunQueue} on their cron schedules
 * ({@code schedules.backup}, {@code physicalBackup}, {@code verify}, {@code drill}, {@code prune}: a
 * {@link CronSchedule} in {@code schedules.timezone}, UTC by default), each fire time delayed by a random jitter of up to
 * {@code server.jitter} so that many servers do not all hit one bucket at 02:00:00. A scheduled run
 * whose previous one is still queued is not queued twice.
 *
 * <p>At start, with {@code server.missedRuns: once}, a job whose last fire time is after its last run
 * (from the run records: any host's run counts) runs once at once; a job that never ran counts as
 * missed. {@code walReceive: true} keeps one wal-receive run going per subject, restarted after it
 * ends with a backoff from {@link #WAL_BACKOFF_MIN} doubling to {@link #WAL_BACKOFF_MAX} (back to the
 * minimum after a run that lasted longer than that).
 *
 * <p>One thread sleeps until the next due time (at most {@link #MAX_SLEEP}, so that a wall clock set
 * forward is noticed): no polling. Single use: {@link #start} once, {@link #close} once.
 */
public final class Scheduler implements AutoCloseable {
    public static final Duration WAL_BACKOFF_MIN = Duration.ofSeconds(5);
    public static final Duration WAL_BACKOFF_MAX = Duration.ofMinutes(5);
    static final Duration MAX_SLEEP = Duration.ofMinutes(1);

    /** When a job last ran for a subject, as the run records say; empty when it never did. */
    @FunctionalInterface
    public interface History {
        Optional<Instant> lastRun(RunRecord.Job job, String subject);
    }

    /**
     * The next run of one job of one subject.
     *
     * @param fireAt the cron fire time
     * @param dueAt when it is submitted: the fire time plus its jitter
     */
    public record Planned(String subject, RunRecord.Job job, Instant fireAt, Instant dueAt) {
    }

    private final ServerSettings settings;
    private final ServerRunQueue queue;
    private final Clock clock;
    private final Random random;
    private final History history;
    private final Consumer<String> log;
    private final List<Entry> entries = new ArrayList<>();
    private final List<String> walSubjects = new ArrayList<>();

    private final Object lock = new Object();
    private final Map<String, Instant> walRestarts = new HashMap<>();
    private final Map<String, Duration> walBackoff = new HashMap<>();
    private boolean stopped;
    private boolean woken;
    private Thread thread;

    /**
     * A scheduler of {@code config}'s schedules.
     *
     * @throws UsageException for a schedule that is not a cron expression or a time zone that does not exist
     */
    public Scheduler(ArcaConfig config, ServerSettings settings, ServerRunQueue queue, Clock clock, Random random,
            History history, Consumer<String> log) {
        this(config, settings, queue, clock, random, history, log, FireTimes.cron());
    }

    /** As above, reading the schedules with {@code reader} (another cron dialect, in tests). */
    public Scheduler(ArcaConfig config, ServerSettings settings, ServerRunQueue queue, Clock clock, Random random,
            History history, Consumer<String> log, FireTimes.Reader reader) {
        this.settings = Objects.requireNonNull(settings);
        this.queue = Objects.requireNonNull(queue);
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
        this.history = Objects.requireNonNull(history);
        this.log = Objects.requireNonNull(log);
        if (config.subjects() == null) {
            return;
        }
        config.subjects().forEach((name, subject) -> {
            ArcaConfig.Schedules s = subject.schedules();
            if (s == null) {
                return;
            }
            String at = "subjects." + name + ".schedules.";
            ZoneId zone;
            try {
                zone = s.timezone() == null ? CronSchedule.DEFAULT_ZONE : CronSchedule.zone(s.timezone());
            } catch (UsageException e) {
                throw new UsageException(at + "timezone: " + e.getMessage(), e.hint(), e);
            }
            add(reader, name, RunRecord.Job.BACKUP, at + "backup", s.backup(), zone);
            add(reader, name, RunRecord.Job.PHYSICAL_BACKUP, at + "physicalBackup", s.physicalBackup(), zone);
            add(reader, name, RunRecord.Job.VERIFY, at + "verify", s.verify(), zone);
            add(reader, name, RunRecord.Job.DRILL, at + "drill", s.drill(), zone);
            add(reader, name, RunRecord.Job.PRUNE, at + "prune", s.prune(), zone);
            if (Boolean.TRUE.equals(s.walReceive())) {
                walSubjects.add(name);
            }
        });
    }

    private void add(FireTimes.Reader reader, String subject, RunRecord.Job job, String field, String expression,
            ZoneId zone) {
        if (expression == null) {
            return;
        }
        try {
            entries.add(new Entry(subject, job, reader.read(expression, zone)));
        } catch (UsageException e) {
            throw new UsageException(field + ": " + e.getMessage(), e.hint(), e);
        }
    }

    /** Plans the next runs, runs the missed ones, starts wal-receive, and starts the thread that submits the rest. */
    public void start() {
        plan();
        Thread t = new Thread(this::loop, "arca-scheduler");
        t.setDaemon(true);
        synchronized (lock) {
            if (stopped) {
                return;
            }
            thread = t;
        }
        t.start();
    }

    /**
     * Plans each job's next fire time from now, submits the ones missed while no server ran (with
     * {@code missedRuns: once}) and starts wal-receive; {@link #start} then submits the rest as they
     * come due. Called alone by tests, which then call {@link #runDue} on their clock.
     */
    void plan() {
        Instant now = clock.instant();
        for (Entry e : entries) {
            e.plan(now);
            if (settings.missedRuns() == ServerSettings.MissedRuns.ONCE) {
                // the last fire time at or before now
                Optional<Instant> previous = e.times.previous(now.plusNanos(1));
                if (previous.isPresent() && missed(e, previous.get())) {
                    log.accept(e.job.jobName() + " of '" + e.subject + "' was due at " + previous.get()
                            + " and did not run since: running it once now");
                    submit(e.subject, e.job);
                }
            }
        }
        for (String subject : walSubjects) {
            startWalReceive(subject);
        }
    }

    private boolean missed(Entry e, Instant previousFire) {
        Optional<Instant> last;
        try {
            last = history.lastRun(e.job, e.subject);
        } catch (RuntimeException ex) {
            // the run would fail the same way, and its record then says why, so run it
            log.accept("cannot read when " + e.job.jobName() + " of '" + e.subject + "' last ran: " + ex.getMessage());
            return true;
        }
        return last.isEmpty() || last.get().isBefore(previousFire);
    }

    /** Submits what is due at the clock's now; returns when something is due next. */
    Instant runDue() {
        Instant now = clock.instant();
        Instant next = now.plus(MAX_SLEEP);
        for (Entry e : entries) {
            if (e.dueAt == null) {
                continue;
            }
            if (!e.dueAt.isAfter(now)) {
                submit(e.subject, e.job);
                e.plan(now.isAfter(e.fireAt) ? now : e.fireAt);
                if (e.dueAt == null) {
                    continue;
                }
            }
            if (e.dueAt.isBefore(next)) {
                next = e.dueAt;
            }
        }
        List<String> restart = new ArrayList<>();
        synchronized (lock) {
            for (Map.Entry<String, Instant> w : walRestarts.entrySet()) {
                if (!w.getValue().isAfter(now)) {
                    restart.add(w.getKey());
                } else if (w.getValue().isBefore(next)) {
                    next = w.getValue();
                }
            }
            restart.forEach(walRestarts::remove);
        }
        restart.forEach(this::startWalReceive);
        return next;
    }

    /** Each job's next run, soonest first. */
    public List<Planned> planned() {
        synchronized (lock) {
            return entries.stream().filter(e -> e.dueAt != null)
                    .map(e -> new Planned(e.subject, e.job, e.fireAt, e.dueAt))
                    .sorted(Comparator.comparing(Planned::dueAt)).toList();
        }
    }

    /** When wal-receive of {@code subject} is restarted next, if it is waiting for that. */
    Optional<Instant> walRestartAt(String subject) {
        synchronized (lock) {
            return Optional.ofNullable(walRestarts.get(subject));
        }
    }

    private void submit(String subject, RunRecord.Job job) {
        for (RunState s : queue.active()) {
            if (s.state().equals(RunState.QUEUED) && s.subject().equals(subject) && s.job().equals(job.jobName())) {
                log.accept(job.jobName() + " of '" + subject + "' is due while its last run (" + s.runId()
                        + ") is still queued: not queued again");
                return;
            }
        }
        try {
            queue.submit(job, subject, RunRecord.Trigger.SCHEDULE);
        } catch (RuntimeException ex) {
            log.accept("cannot start " + job.jobName() + " of '" + subject + "': " + ex.getMessage());
        }
    }

    private void startWalReceive(String subject) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
        }
        RunState s;
        try {
            s = queue.submit(RunRecord.Job.WAL_RECEIVE, subject, RunRecord.Trigger.SCHEDULE);
        } catch (RuntimeException ex) {
            log.accept("cannot start wal-receive of '" + subject + "': " + ex.getMessage());
            restartLater(subject, Duration.ZERO);
            return;
        }
        var done = queue.whenDone(s.runId());
        if (done != null) {
            done.thenAccept(end -> {
                if (!RunState.CANCELLED.equals(end.state())) {
                    Duration lasted = end.startedAt() == null ? Duration.ZERO
                            : Duration.between(end.startedAt(), end.record() != null ? end.record().finishedAt()
                                    : clock.instant());
                    restartLater(subject, lasted);
                }
            });
        }
    }

    private void restartLater(String subject, Duration lasted) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            Duration previous = walBackoff.get(subject);
            Duration backoff = previous == null || lasted.compareTo(WAL_BACKOFF_MAX) > 0 ? WAL_BACKOFF_MIN
                    : min(previous.multipliedBy(2), WAL_BACKOFF_MAX);
            walBackoff.put(subject, backoff);
            Instant at = clock.instant().plus(backoff);
            walRestarts.put(subject, at);
            log.accept("wal-receive of '" + subject + "' ended: restarting it at " + at);
            woken = true;
            lock.notifyAll();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void loop() {
        try {
            while (true) {
                synchronized (lock) {
                    if (stopped) {
                        return;
                    }
                }
                Instant next;
                try {
                    next = runDue();
                } catch (RuntimeException e) {
                    log.accept("scheduler: " + e);
                    next = clock.instant().plus(MAX_SLEEP);
                }
                synchronized (lock) {
                    long ms = Duration.between(clock.instant(), next).toMillis();
                    ms = Math.max(1, Math.min(ms, MAX_SLEEP.toMillis()));
                    if (!woken && !stopped) {
                        lock.wait(ms);
                    }
                    woken = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops scheduling (runs already submitted are the queue's); waits for the scheduler's thread to end. */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            stopped = true;
            walRestarts.clear();
            lock.notifyAll();
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One job of one subject and its next fire time. Guarded by the scheduler's lock for {@link #planned}. */
    private final class Entry {
        final String subject;
        final RunRecord.Job job;
        final FireTimes times;
        Instant fireAt;
        Instant dueAt;

        Entry(String subject, RunRecord.Job job, FireTimes times) {
            this.subject = subject;
            this.job = job;
            this.times = times;
        }

        void plan(Instant after) {
            Optional<Instant> fire = times.next(after);
            long jitterMillis = settings.jitter().toMillis();
            Duration jitter = jitterMillis <= 0 ? Duration.ZERO
                    : Duration.ofMillis((long) (random.nextDouble() * (jitterMillis + 1)));
            synchronized (lock) {
                fireAt = fire.orElse(null);
                dueAt = fire.map(f -> f.plus(jitter)).orElse(null);
            }
        }
    }
}

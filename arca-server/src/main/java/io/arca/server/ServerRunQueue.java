package io.arca.server;

import io.arca.app.config.ArcaConfig;
import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import io.arca.app.job.RunRecorder;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJob;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.run.RunRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The server's {@link RunQueue}: runs in the order they were submitted, at most {@code concurrency}
 * at once and one per subject at a time (a run of a busy subject waits, runs of other subjects go
 * ahead of it). Each run goes through a {@link RunRecorder} on its own thread, so its events reach
 * the listener and its record the repositories. A {@code wal-receive} run never ends by itself, so
 * it neither takes a slot nor blocks its subject's other jobs; there is at most one per subject.
 *
 * <p>States of finished runs are kept in memory, the newest {@link #FINISHED_KEPT}; older ones are
 * in the repository's run records. Across hosts the repository's lease keeps two backups of one
 * subject apart; this queue only keeps this server from trying.
 *
 * <p>A running job is stopped by interrupting its thread (a shutdown, a lost leadership): the job
 * unwinds through its clean-up (a backup without a manifest is discarded) and its run is recorded.
 */
public final class ServerRunQueue implements RunQueue {
    /** How many finished runs' states are kept for {@link #state}. */
    public static final int FINISHED_KEPT = 1000;

    private final ArcaConfig config;
    private final Map<String, String> environment;
    private final int concurrency;
    private final Clock clock;
    private final RunRecorder recorder;
    private final Function<RunRecord.Job, SubjectJob> jobs;
    private final Map<String, RunRecord> records = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    private final List<Run> queued = new ArrayList<>();
    private final Map<String, Run> running = new LinkedHashMap<>();
    private final Map<String, Run> finished = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Run> eldest) {
            return size() > FINISHED_KEPT;
        }
    };
    private final Set<String> busySubjects = new HashSet<>();
    private int slotsUsed;
    private boolean leading = true;
    private boolean closed;
    private boolean abortNow;

    /**
     * A queue for the subjects of {@code config}.
     *
     * @param environment where jobs read secrets from
     * @param concurrency how many runs at once (wal-receive not counted)
     * @param host the host its records name
     * @param listener receives every run's events (the log, metrics, notifications)
     * @param jobs the job for each kind of run ({@code SubjectJobs::of} but in tests)
     */
    public ServerRunQueue(ArcaConfig config, Map<String, String> environment, int concurrency, Clock clock,
            String host, JobListener listener, Function<RunRecord.Job, SubjectJob> jobs) {
        this.config = Objects.requireNonNull(config);
        this.environment = Map.copyOf(environment);
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency " + concurrency);
        }
        this.concurrency = concurrency;
        this.clock = Objects.requireNonNull(clock);
        this.jobs = Objects.requireNonNull(jobs);
        JobListener capture = e -> {
            if (e instanceof JobEvent.Finished f) {
                records.put(f.runId(), f.record());
            }
        };
        this.recorder = new RunRecorder(clock, host, capture.and(listener));
    }

    @Override
    public RunState submit(RunRecord.Job job, String subject, RunRecord.Trigger trigger) {
        Objects.requireNonNull(job);
        Objects.requireNonNull(trigger);
        subject(subject);
        if (job == RunRecord.Job.COPY) {
            throw new UsageException("copy does not run on its own: it is part of a backup to several repositories",
                    "list the repositories under subjects." + subject + ".repositories", null);
        }
        if (job == RunRecord.Job.WAL_RECEIVE && trigger != RunRecord.Trigger.SCHEDULE) {
            throw new UsageException("wal-receive is not started on request: it runs all the time for a subject with"
                    + " schedules.walReceive: true", "set subjects." + subject + ".schedules.walReceive: true", null);
        }
        synchronized (lock) {
            refuseWhenNotAccepting();
            if (job == RunRecord.Job.WAL_RECEIVE) {
                for (Run r : activeRuns()) {
                    if (r.job == job && r.subject.equals(subject)) {
                        return r.snapshot();
                    }
                }
            }
            Run run = new Run(recorder.newRunId(), job, subject, trigger, clock.instant());
            queued.add(run);
            dispatch();
            return run.snapshot();
        }
    }

    @Override
    public Optional<RunState> state(String runId) {
        synchronized (lock) {
            Run r = running.get(runId);
            if (r == null) {
                r = finished.get(runId);
            }
            if (r == null) {
                r = queued.stream().filter(q -> q.id.equals(runId)).findFirst().orElse(null);
            }
            return Optional.ofNullable(r).map(Run::snapshot);
        }
    }

    @Override
    public List<RunState> active() {
        synchronized (lock) {
            return activeRuns().stream().map(Run::snapshot).toList();
        }
    }

    /** Completes when run {@code runId} has finished (or was cancelled); null for an id this queue does not know. */
    public CompletionStage<RunState> whenDone(String runId) {
        synchronized (lock) {
            Run r = running.get(runId);
            if (r == null) {
                r = finished.get(runId);
            }
            if (r == null) {
                r = queued.stream().filter(q -> q.id.equals(runId)).findFirst().orElse(null);
            }
            return r == null ? null : r.done;
        }
    }

    /**
     * Whether this replica leads. A replica that does not refuses new runs; on losing the lead the
     * queued runs are cancelled and wal-receive runs stopped (the leader starts its own), while the
     * other running jobs end by themselves (the repository lease keeps them apart from the leader's).
     */
    public void leading(boolean leading) {
        Map<Run, RunState> cancelled;
        synchronized (lock) {
            this.leading = leading;
            if (leading) {
                return;
            }
            cancelled = cancelQueued();
            interruptLongRunning();
        }
        cancelled.forEach((r, s) -> r.done.complete(s));
    }

    /**
     * Refuses new runs, cancels the queued ones and stops wal-receive at once, waits up to
     * {@code grace} for the running jobs to end by themselves (zero: not at all), then interrupts them
     * and waits up to {@code unwind} for them to clean up and record their runs. Returns true when
     * every run ended. {@link #abort()} cuts the grace short from another thread.
     */
    public boolean shutdown(Duration grace, Duration unwind) {
        Map<Run, RunState> cancelled;
        synchronized (lock) {
            closed = true;
            cancelled = cancelQueued();
            interruptLongRunning();
        }
        cancelled.forEach((r, s) -> r.done.complete(s));
        synchronized (lock) {
            awaitIdle(grace, true);
            running.values().forEach(this::interrupt);
            return awaitIdle(unwind, false);
        }
    }

    /** Interrupts the running jobs now, also in the grace period of a {@link #shutdown} under way. */
    public void abort() {
        synchronized (lock) {
            abortNow = true;
            running.values().forEach(this::interrupt);
            lock.notifyAll();
        }
    }

    private boolean awaitIdle(Duration limit, boolean abortable) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (!running.isEmpty() && !(abortable && abortNow)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return running.isEmpty();
    }

    private void refuseWhenNotAccepting() {
        if (closed) {
            throw new ArcaException(ErrorCode.FAILURE, "the server is shutting down: no new runs are started",
                    "submit the run again once the server is back");
        }
        if (!leading) {
            throw new ArcaException(ErrorCode.LOCK_HELD,
                    "this replica is not the leader: runs are started by the replica that holds the lease",
                    "send the request to the leading replica (its /readyz says it leads)");
        }
    }

    /** Cancels the queued runs; returns what their futures complete with (outside the lock). */
    private Map<Run, RunState> cancelQueued() {
        Map<Run, RunState> cancelled = new LinkedHashMap<>();
        for (Run r : queued) {
            r.state = RunState.CANCELLED;
            finished.put(r.id, r);
            cancelled.put(r, r.snapshot());
        }
        queued.clear();
        return cancelled;
    }

    private void interruptLongRunning() {
        running.values().stream().filter(Run::longRunning).forEach(this::interrupt);
    }

    /**
     * Interrupts a run's job, once, and only while the job itself runs: a second interrupt would land
     * in its clean-up, and one after the job would close the channels the recorder writes the record
     * through. Under {@link #lock}.
     */
    private void interrupt(Run r) {
        if (!r.interrupted && !r.jobDone) {
            r.interrupted = true;
            r.thread.interrupt();
        }
    }

    private List<Run> activeRuns() {
        List<Run> all = new ArrayList<>(running.values());
        all.addAll(queued);
        all.sort(Comparator.comparing((Run r) -> r.queuedAt).thenComparing(r -> r.id));
        return all;
    }

    /** Starts every queued run that may start now, oldest first. Under {@link #lock}. */
    private void dispatch() {
        for (Iterator<Run> it = queued.iterator(); it.hasNext(); ) {
            Run r = it.next();
            if (!r.longRunning() && (slotsUsed >= concurrency || busySubjects.contains(r.subject))) {
                continue;
            }
            it.remove();
            if (!r.longRunning()) {
                slotsUsed++;
                busySubjects.add(r.subject);
            }
            r.state = RunState.RUNNING;
            r.startedAt = clock.instant();
            running.put(r.id, r);
            Thread t = new Thread(() -> execute(r), "arca-run-" + r.job.jobName() + "-" + r.subject);
            t.setDaemon(true);
            r.thread = t;
            t.start();
        }
    }

    private void execute(Run r) {
        try {
            Subject subject = subject(r.subject);
            recorder.run(r.id, r.job, r.subject, r.trigger, List.of(), ctx -> {
                try {
                    return jobs.apply(r.job).run(subject, ctx);
                } finally {
                    synchronized (lock) {
                        r.jobDone = true;
                    }
                    // an interrupt the job did not consume must not fail the writing of its record
                    Thread.interrupted();
                }
            });
        } catch (RuntimeException e) {
            // recorded, and told to the listener, by the recorder
        } finally {
            RunRecord record = records.remove(r.id);
            RunState end;
            synchronized (lock) {
                running.remove(r.id);
                if (!r.longRunning()) {
                    slotsUsed--;
                    busySubjects.remove(r.subject);
                }
                r.record = record;
                r.state = record != null ? record.outcome() : RunRecord.FAILED;
                finished.put(r.id, r);
                if (!closed) {
                    dispatch();
                }
                lock.notifyAll();
                end = r.snapshot();
            }
            r.done.complete(end);
        }
    }

    private Subject subject(String name) {
        ArcaConfig.SubjectEntry entry = config.subjects() == null || name == null ? null : config.subjects().get(name);
        if (entry == null) {
            throw new UsageException("no subject '" + name + "' in the configuration",
                    "name one of the subjects in arca.yaml: " + (config.subjects() == null ? "(none)"
                            : String.join(", ", config.subjects().keySet())), null);
        }
        return new Subject(name, entry, config, environment);
    }

    /** One run; its mutable fields are guarded by the queue's lock. */
    private static final class Run {
        final String id;
        final RunRecord.Job job;
        final String subject;
        final RunRecord.Trigger trigger;
        final java.time.Instant queuedAt;
        final CompletableFuture<RunState> done = new CompletableFuture<>();
        String state = RunState.QUEUED;
        java.time.Instant startedAt;
        RunRecord record;
        Thread thread;
        boolean interrupted;
        boolean jobDone;

        Run(String id, RunRecord.Job job, String subject, RunRecord.Trigger trigger, java.time.Instant queuedAt) {
            this.id = id;
            this.job = job;
            this.subject = subject;
            this.trigger = trigger;
            this.queuedAt = queuedAt;
        }

        boolean longRunning() {
            return job == RunRecord.Job.WAL_RECEIVE;
        }

        RunState snapshot() {
            return new RunState(id, job.jobName(), subject, trigger.triggerName(), state, queuedAt, startedAt, record);
        }
    }
}

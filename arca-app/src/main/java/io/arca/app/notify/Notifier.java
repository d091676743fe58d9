package io.arca.app.notify;

import io.arca.app.job.RunRecorder;

import io.arca.app.config.ArcaConfig;
import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import io.arca.app.job.Failures;
import io.arca.app.status.StatusReport;
import io.arca.app.status.SubjectStatus;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import java.net.http.HttpClient;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * Decides when to notify and sends, off the job's thread. As a {@link JobListener} it notifies:
 *
 * <ul>
 *   <li><b>failure</b>: a run ended {@code failed} or {@code partial} (each such run);
 *   <li><b>recovery</b>: a run succeeded and the run of the same job and subject before it had not.
 *       The run before comes from {@link PreviousOutcomes} (the repository's history, looked up
 *       when the run starts, so a one-shot CLI run knows it too), else from the runs this notifier saw;
 * </ul>
 *
 * and {@link #objectivesChecked} (called by the server after each status check) notifies
 * <b>objective</b> notices: when a subject starts missing an objective, and when it meets all of
 * them again; not at every check.
 *
 * <p>Lookups and deliveries run on a small pool of daemon threads with bounded queues: a listener
 * call only records and hands over, it never waits on the network, and never throws. Each channel
 * gets its notices in the order they were made, and a slow channel does not hold up the others. A notice that
 * cannot be delivered after the retries is reported to the log callback. {@link #close()} waits (a
 * bounded time) for what is under way: a one-shot CLI run calls it before it exits.
 *
 * <pre>{@code
 * try (Notifier notifier = Notifier.from(config, System.getenv(), PreviousOutcomes.of(repository.runs()),
 *         Clock.systemUTC(), line -> System.err.println(line))) {
 *     new RunRecorder(clock, console.and(notifier)).run(...);
 * }
 * }</pre>
 */
public final class Notifier implements JobListener, AutoCloseable {
    private static final int QUEUE = 1000;
    /** Notices waiting for one channel, at most: past that a flood is dropped (and logged), not kept. */
    private static final int LANE_LIMIT = 200;

    private final List<Route> routes;
    private final List<Lane> lanes;
    private final boolean wantsRecovery;
    private final PreviousOutcomes previous;
    private final Clock clock;
    private final Consumer<String> log;
    private final Options options;
    private final Delivery delivery;
    private final ThreadPoolExecutor executor;
    private final Pending pending = new Pending();
    /** The lookups of the run before each run under way, by run id. */
    private static final CompletableFuture<Void> NOTHING_TO_WAIT_FOR = CompletableFuture.completedFuture(null);
    /** Per job and subject, the last decision on a notice: the next one runs after it. */
    private final Map<RunLog.Key, CompletableFuture<Void>> order = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Optional<RunRecord>>> lookups = new ConcurrentHashMap<>();
    /** The last run this notifier saw end, per job and subject: what it knows when the history does not answer. */
    private final Map<RunLog.Key, RunRecord> seen = new ConcurrentHashMap<>();
    /** The objectives each subject missed at the last check; guarded by {@code this}. */
    private final Map<String, Set<String>> missing = new HashMap<>();
    private volatile boolean closed;

    /**
     * How a notifier works; {@link #defaults()} but in tests.
     *
     * @param host the host named in objective notices
     * @param retry how deliveries are retried
     * @param sleeper how a delivery waits between attempts
     * @param timeout how long one attempt may take
     * @param closeTimeout how long {@link #close()} waits for deliveries under way
     * @param threads how many lookups and deliveries run at once
     * @param tls the TLS context for SMTP and HTTPS (its trust store checks the servers), or null for the JVM's
     */
    public record Options(String host, Delivery.Policy retry, Delivery.Sleeper sleeper, Duration timeout,
            Duration closeTimeout, int threads, SSLContext tls) {
        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(retry, "retry");
            Objects.requireNonNull(sleeper, "sleeper");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(closeTimeout, "closeTimeout");
            if (threads < 1) {
                throw new IllegalArgumentException("a notifier needs at least one thread");
            }
        }

        /** This host, {@link Delivery.Policy#DEFAULT}, 10 s per attempt, close waits up to 60 s, 4 threads. */
        public static Options defaults() {
            return new Options(RunRecorder.localHost(), Delivery.Policy.DEFAULT, Delivery.Sleeper.REAL, Duration.ofSeconds(10),
                    Duration.ofSeconds(60), 4, null);
        }

        public Options withRetry(Delivery.Policy retry, Delivery.Sleeper sleeper) {
            return new Options(host, retry, sleeper, timeout, closeTimeout, threads, tls);
        }

        public Options withTimeout(Duration timeout, Duration closeTimeout) {
            return new Options(host, retry, sleeper, timeout, closeTimeout, threads, tls);
        }

        public Options withTls(SSLContext tls) {
            return new Options(host, retry, sleeper, timeout, closeTimeout, threads, tls);
        }

        SSLContext tlsOrDefault() {
            if (tls != null) {
                return tls;
            }
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JVM has no default TLS context", e);
            }
        }
    }

    /**
     * A notifier for the {@code notifications} of {@code config} ({@link Options#defaults()}).
     *
     * @param config the configuration (its {@code notifications}; none: a notifier that does nothing)
     * @param env the environment secrets are read from ({@code System.getenv()} but in tests)
     * @param previous where the run before a run is found ({@link PreviousOutcomes#of(RunLog)})
     * @param clock the time of notices and signatures
     * @param log where deliveries that finally failed, and other trouble, are reported (one line each, no secrets)
     * @throws io.arca.core.error.UsageException when a notification entry is incomplete or its secret is missing
     */
    public static Notifier from(ArcaConfig config, Map<String, String> env, PreviousOutcomes previous, Clock clock,
            Consumer<String> log) {
        return from(config, env, previous, clock, log, Options.defaults());
    }

    /** As {@link #from(ArcaConfig, Map, PreviousOutcomes, Clock, Consumer)}, with {@code options}. */
    public static Notifier from(ArcaConfig config, Map<String, String> env, PreviousOutcomes previous, Clock clock,
            Consumer<String> log, Options options) {
        SSLContext tls = options.tlsOrDefault();
        HttpClient[] http = new HttpClient[1];
        List<Route> routes = Channels.routes(config == null ? null : config.notifications(), env, () -> {
            if (http[0] == null) {
                http[0] = HttpClient.newBuilder().sslContext(tls).connectTimeout(options.timeout())
                        .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
            }
            return http[0];
        }, tls, clock, options.timeout());
        return new Notifier(routes, previous, clock, log, options);
    }

    public Notifier(List<Route> routes, PreviousOutcomes previous, Clock clock, Consumer<String> log,
            Options options) {
        this.routes = List.copyOf(routes);
        this.lanes = this.routes.stream().map(Lane::new).toList();
        this.wantsRecovery = this.routes.stream().anyMatch(r -> r.on().contains(Notice.Category.RECOVERY));
        this.previous = Objects.requireNonNull(previous, "previous");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
        this.options = Objects.requireNonNull(options, "options");
        this.delivery = new Delivery(options.retry(), options.sleeper());
        this.executor = new ThreadPoolExecutor(options.threads(), options.threads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "arca-notify");
                    t.setDaemon(true); // a stuck receiver must not keep a CLI run alive: close() bounds the wait
                    return t;
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /** Whether any channel is configured: without one, this listener does nothing. */
    public boolean active() {
        return !routes.isEmpty();
    }

    @Override
    public void on(JobEvent event) {
        if (routes.isEmpty() || closed) {
            return;
        }
        try {
            if (event instanceof JobEvent.Started s) {
                started(s);
            } else if (event instanceof JobEvent.Finished f) {
                finished(f.record());
            }
        } catch (RuntimeException e) {
            say("notifications: internal error on " + event.getClass().getSimpleName() + " of run " + event.runId()
                    + ": " + e.getClass().getName());
        }
    }

    private void started(JobEvent.Started s) {
        if (!wantsRecovery) {
            return;
        }
        CompletableFuture<Optional<RunRecord>> lookup = new CompletableFuture<>();
        lookups.put(s.runId(), lookup);
        submit(() -> {
            Optional<RunRecord> found = Optional.empty();
            try {
                found = previous.before(s.job(), s.subject(), s.runId(), s.at());
            } catch (RuntimeException e) {
                say("notifications: the run before " + s.job() + " of " + s.subject() + " could not be read ("
                        + Failures.of(e).getMessage() + "); a recovery is judged from the runs this process saw");
            } finally {
                lookup.complete(found);
            }
        }, () -> lookup.complete(Optional.empty()), "the lookup of the run before " + s.runId());
    }

    private void finished(RunRecord run) {
        RunLog.Key key = new RunLog.Key(run.job(), run.subject());
        RunRecord remembered = seen.put(key, run);
        CompletableFuture<Optional<RunRecord>> lookup = lookups.remove(run.runId());
        if (!run.succeeded()) {
            inOrder(key, NOTHING_TO_WAIT_FOR, () -> dispatch(Notice.failure(run, clock.instant())));
            return;
        }
        if (!wantsRecovery) {
            return;
        }
        RunRecord fromMemory = remembered != null && !remembered.runId().equals(run.runId())
                && !remembered.startedAt().isAfter(run.startedAt()) ? remembered : null;
        CompletableFuture<Optional<RunRecord>> found = lookup != null ? lookup
                : CompletableFuture.completedFuture(Optional.empty());
        inOrder(key, found, () -> {
            // the lookup always completes normally (its task completes it in a finally)
            RunRecord before = RunRecord.later(found.join().orElse(null), fromMemory);
            if (before != null && !before.succeeded()) {
                dispatch(Notice.recovery(run, before, clock.instant()));
            }
        });
    }

    /**
     * Runs {@code decide} once {@code ready} is complete and every decision taken before for the
     * same job and subject has run: a recovery waits for its lookup of the run before, and a later
     * failure must not overtake it, or a receiver would read "recovered" last while it fails.
     */
    private void inOrder(RunLog.Key key, CompletableFuture<?> ready, Runnable decide) {
        pending.enter();
        order.compute(key, (k, before) -> CompletableFuture.allOf(before == null ? NOTHING_TO_WAIT_FOR : before, ready)
                .handle((v, e) -> null)
                .thenRun(() -> {
                    try {
                        decide.run();
                    } catch (RuntimeException e) {
                        say("notifications: internal error deciding on a notice of " + k.job() + " of " + k.subject()
                                + ": " + e.getClass().getName());
                    } finally {
                        pending.exit();
                    }
                }));
    }

    /**
     * The result of a status check: per subject checked, the objectives it misses (an empty list:
     * it meets them all). Notifies {@code objective-missed} for a subject that misses an objective
     * it did not miss at the previous check (naming everything it misses), and {@code objective-met}
     * for one that missed some and now misses none. Subjects not in the map keep their state. The
     * first check after a start compares with "nothing missed": a subject still missing its
     * objectives after a restart is announced once more.
     */
    public void objectivesChecked(Map<String, List<ObjectiveMiss>> missesBySubject) {
        List<Notice> notices = new ArrayList<>();
        synchronized (this) {
            missesBySubject.forEach((subject, misses) -> {
                Set<String> now = new LinkedHashSet<>();
                for (ObjectiveMiss m : misses) {
                    now.add(m.objective());
                }
                Set<String> before = missing.getOrDefault(subject, Set.of());
                if (now.isEmpty()) {
                    missing.remove(subject);
                } else {
                    missing.put(subject, now);
                }
                if (!before.containsAll(now)) {
                    notices.add(Notice.objectiveMissed(subject, misses, options.host(), clock.instant()));
                } else if (now.isEmpty() && !before.isEmpty()) {
                    notices.add(Notice.objectiveMet(subject, List.copyOf(new TreeSet<>(before)), options.host(),
                            clock.instant()));
                }
            });
        }
        if (!routes.isEmpty() && !closed) {
            notices.forEach(this::dispatch);
        }
    }

    /**
     * {@link #objectivesChecked(Map)} for every subject of a status report (each subject's
     * objectives as {@link ObjectiveMiss#of(SubjectStatus)} reads them). A subject whose backups go
     * to several repositories is judged by the report it is given: pass the report of its primary
     * repository.
     */
    public void objectivesChecked(StatusReport report) {
        Map<String, List<ObjectiveMiss>> misses = new LinkedHashMap<>();
        for (SubjectStatus s : report.subjects()) {
            misses.put(s.subject(), ObjectiveMiss.of(s));
        }
        objectivesChecked(misses);
    }

    /** Sends {@code notice} now, through every channel that takes its kind (as the listener does). */
    public void notify(Notice notice) {
        if (!routes.isEmpty() && !closed) {
            dispatch(notice);
        }
    }

    private void dispatch(Notice notice) {
        for (Lane lane : lanes) {
            if (lane.route.takes(notice)) {
                lane.add(notice);
            }
        }
    }

    private void deliver(Channel channel, Notice notice) {
        Delivery.Result result = delivery.deliver(channel, notice);
        if (!result.sent()) {
            say("notification " + notice.event().eventName() + " for " + NoticeText.what(notice)
                    + (notice.runId() == null ? "" : " (run " + notice.runId() + ")") + " via " + channel.describe()
                    + " failed after " + result.attempts() + (result.attempts() == 1 ? " attempt: " : " attempts: ")
                    + result.error());
        }
    }

    private void submit(Runnable task, Runnable onRefused, String what) {
        pending.enter();
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    say("notifications: internal error in " + what + ": " + e.getClass().getName());
                } finally {
                    pending.exit();
                }
            });
        } catch (RejectedExecutionException e) {
            pending.exit();
            onRefused.run();
            say("notifications: " + what + " was dropped: too many notifications under way");
        }
    }

    private void say(String line) {
        try {
            log.accept(line);
        } catch (RuntimeException ignored) {
            // the log is the last resort; nothing is left to tell
        }
    }

    /**
     * Waits until every lookup and delivery under way has ended, up to {@code timeout}.
     *
     * @return true when nothing is left
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return pending.awaitZero(timeout);
    }

    /**
     * Takes no more events, waits for what is under way (up to {@link Options#closeTimeout()}), then
     * stops; what is still unsent then is reported to the log.
     */
    @Override
    public void close() {
        closed = true;
        boolean idle;
        try {
            idle = pending.awaitZero(options.closeTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        if (!idle) {
            say("notifications: " + pending.count() + " still under way after "
                    + options.closeTimeout().toSeconds() + "s; they are abandoned");
        }
        executor.shutdownNow();
    }


    /**
     * The notices for one channel, sent one after another in the order they were made (a failure
     * never arrives after the recovery that follows it), one per task so that channels take turns
     * on the pool's threads and a slow one does not hold up the others.
     */
    private final class Lane {
        private final Route route;
        private final ArrayDeque<Notice> queue = new ArrayDeque<>();
        private boolean running;

        Lane(Route route) {
            this.route = route;
        }

        void add(Notice notice) {
            synchronized (this) {
                if (queue.size() >= LANE_LIMIT) {
                    say("notifications: the " + notice.event().eventName() + " notice for " + NoticeText.what(notice)
                            + " to " + route.channel().describe() + " was dropped: " + LANE_LIMIT
                            + " notices are already waiting for it");
                    return;
                }
                queue.add(notice);
                pending.enter();
                if (running) {
                    return;
                }
                running = true;
            }
            schedule();
        }

        private void schedule() {
            try {
                executor.execute(this::sendNext);
            } catch (RejectedExecutionException e) {
                int dropped;
                synchronized (this) {
                    dropped = queue.size();
                    queue.clear();
                    running = false;
                }
                for (int i = 0; i < dropped; i++) {
                    pending.exit();
                }
                say("notifications: " + dropped + " notices to " + route.channel().describe()
                        + " were dropped: the notifier is stopped or overloaded");
            }
        }

        private void sendNext() {
            Notice notice;
            synchronized (this) {
                notice = queue.poll();
            }
            try {
                deliver(route.channel(), notice);
            } catch (RuntimeException e) {
                say("notifications: internal error sending to " + route.channel().describe() + ": "
                        + e.getClass().getName());
            } finally {
                pending.exit();
            }
            synchronized (this) {
                if (queue.isEmpty()) {
                    running = false;
                    return;
                }
            }
            schedule();
        }
    }

    /** Counts work under way, so that close() can wait for it all, including work that work starts. */
    private static final class Pending {
        private int count;

        synchronized void enter() {
            count++;
        }

        synchronized void exit() {
            if (--count == 0) {
                notifyAll();
            }
        }

        synchronized int count() {
            return count;
        }

        synchronized boolean awaitZero(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }
}

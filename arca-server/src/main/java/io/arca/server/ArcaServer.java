package io.arca.server;

import io.arca.app.config.ArcaConfig;
import io.arca.app.event.JobListener;
import io.arca.app.metrics.MetricsModel;
import io.arca.app.notify.Notifier;
import io.arca.app.notify.PreviousOutcomes;
import io.arca.app.job.SubjectJob;
import io.arca.app.job.SubjectJobs;
import io.arca.core.repo.run.RunRecord;
import io.arca.server.http.HttpApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code arca server}: the run queue, the scheduler (on the leading replica only, when leader
 * election is on) and the HTTP side with {@code /metrics}, started together and stopped together.
 * Every run's events go to the front end's listener, to the {@link Notifier} (failure, recovery),
 * and trigger a reread of the metrics and a check of the objectives (also every
 * {@link #OBJECTIVES_EVERY}: an RPO is missed by time passing), whose misses the notifier announces.
 *
 * <p>A shutdown ({@link #shutdown}) stops scheduling, cancels queued runs and stops wal-receive,
 * then with {@code finish} lets running jobs end for up to {@code server.shutdownGrace} before it
 * interrupts them, with {@code abort} interrupts them at once; an interrupted job cleans up (a
 * backup without its manifest is discarded) and its run is recorded as failed. Only then is the
 * Lease released (so a new leader does not take a run still under way for missed) and the HTTP side
 * stopped.
 */
public final class ArcaServer implements AutoCloseable {
    /** How long interrupted jobs get to clean up and record their runs. */
    public static final Duration UNWIND = Duration.ofSeconds(60);
    /** How often the leader checks the objectives besides after each run: an RPO is missed by time passing. */
    public static final Duration OBJECTIVES_EVERY = Duration.ofMinutes(5);

    private enum Phase { RUNNING, STOPPING, STOPPED }

    private final Builder b;
    private final ServerSettings settings;
    private final RunLogs runLogs;
    private final Notifier notifier;
    private final MetricsModel metrics;
    private final AfterRuns metricsRefresh;
    private final AfterRuns objectives;
    private final ServerRunQueue queue;
    private final LeaderElection election;
    private final KubernetesClient kubernetes;
    private final HttpApi http;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object lock = new Object();
    private Phase phase = Phase.RUNNING;
    private Scheduler scheduler;

    private ArcaServer(Builder b, ServerSettings settings) {
        this.b = b;
        this.settings = settings;
        List<AutoCloseable> made = new ArrayList<>();
        try {
            runLogs = new RunLogs(b.config, b.clock);
            made.add(runLogs);
            // the run before a run, for "recovered", comes from the records of the subject's repositories
            notifier = Notifier.from(b.config, b.environment, PreviousOutcomes.perSubject(runLogs::forSubject),
                    b.clock, b.log, b.notifyOptions != null ? b.notifyOptions : notifyOptions(b.identity));
            made.add(notifier);
            boolean anyRepository = b.config.repositories() != null && !b.config.repositories().isEmpty();
            metrics = anyRepository ? MetricsModel.of(b.config, b.metricsRefresh, b.clock) : null;
            if (metrics != null) {
                made.add(metrics);
            }
            // a run's outcome shows in /metrics at once, not at the next refresh
            metricsRefresh = metrics == null ? null : new AfterRuns("metrics-refresh", metrics::refresh, null, b.log);
            if (metricsRefresh != null) {
                made.add(metricsRefresh);
            }
            objectives = new AfterRuns("objectives", this::checkObjectives, b.objectivesEvery, b.log);
            made.add(objectives);
            JobListener listener = b.listener.and(notifier).and(objectives);
            if (metricsRefresh != null) {
                listener = listener.and(metricsRefresh);
            }
            queue = new ServerRunQueue(b.config, b.environment, settings.concurrency(), b.clock, b.identity, listener,
                    b.jobs);
            // a schedule that cannot be read fails the start, on every replica
            newScheduler();
            // tokens, keystore and address are checked here, before anything runs
            HttpApi.Builder api = HttpApi.builder(b.config).listen(settings.listen()).environment(b.environment)
                    .clock(b.clock).runQueue(queue).readiness(() -> {
                        Readiness r = readiness();
                        return r.ready() ? Optional.empty() : Optional.of(r.detail());
                    });
            if (metrics != null) {
                api.metrics(metrics::scrape);
            }
            http = api.build();
            made.add(http);
            if (settings.leaderElection()) {
                queue.leading(false);
                KubernetesClient client = b.kubernetes.get();
                made.add(client);
                kubernetes = client;
                String namespace = settings.leaseNamespace() != null ? settings.leaseNamespace()
                        : client.getNamespace() != null ? client.getNamespace() : "default";
                election = new LeaderElection(client, namespace, settings.leaseName(), b.identity, b.electionTiming,
                        this::startLeading, this::stopLeading, b.log);
            } else {
                election = null;
                kubernetes = null;
            }
        } catch (RuntimeException | Error e) {
            java.util.Collections.reverse(made);
            for (AutoCloseable c : made) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static Notifier.Options notifyOptions(String identity) {
        Notifier.Options d = Notifier.Options.defaults();
        return new Notifier.Options(identity, d.retry(), d.sleeper(), d.timeout(), d.closeTimeout(), d.threads(),
                d.tls());
    }

    /** Tells the notifier which objectives each subject misses; only the leader does, so a miss is told once. */
    private void checkObjectives() {
        if (!notifier.active() || !readiness().leading()) {
            return;
        }
        notifier.objectivesChecked(new ObjectivesCheck(b.config, b.clock).check(b.log));
    }

    /** A server for {@code config}; {@link Builder#start()} starts it. */
    public static Builder builder(ArcaConfig config) {
        return new Builder(config);
    }

    private void start() {
        try {
            http.start();
        } catch (RuntimeException e) {
            queue.shutdown(Duration.ZERO, Duration.ZERO);
            closeParts();
            throw e;
        }
        b.log.accept("listening on " + (http.tls() ? "https://" : "http://") + host(settings.listen()) + ":"
                + http.port());
        if (election != null) {
            b.log.accept("leader election: standing for lease " + election.lease() + " as '" + b.identity + "'");
            election.start();
        } else {
            startLeading();
        }
    }

    private Scheduler newScheduler() {
        return new Scheduler(b.config, settings, queue, b.clock, b.random,
                b.history != null ? b.history : new RunLogHistory(b.config, b.clock), b.log, b.fireTimes);
    }

    private void startLeading() {
        Scheduler s;
        synchronized (lock) {
            if (phase != Phase.RUNNING) {
                return;
            }
            queue.leading(true);
            s = newScheduler();
            scheduler = s;
        }
        b.log.accept("scheduling the jobs of " + subjects() + " subject(s)");
        s.start();
        objectives.request();
    }

    private void stopLeading() {
        Scheduler s;
        synchronized (lock) {
            s = scheduler;
            scheduler = null;
        }
        if (s != null) {
            s.close();
            b.log.accept("stopped scheduling: this replica no longer leads");
        }
        queue.leading(false);
    }

    private int subjects() {
        return b.config.subjects() == null ? 0 : b.config.subjects().size();
    }

    /** The settings in use (the {@code server:} section with its defaults and overrides). */
    public ServerSettings settings() {
        return settings;
    }

    /** Where runs are submitted (the scheduler's and the API's). */
    public ServerRunQueue queue() {
        return queue;
    }

    /** Each job's next scheduled run; empty on a replica that does not lead. */
    public java.util.List<Scheduler.Planned> planned() {
        synchronized (lock) {
            return scheduler == null ? java.util.List.of() : scheduler.planned();
        }
    }

    /** The port the HTTP side listens on (the one chosen when {@code server.listen} gives port 0). */
    public int port() {
        return http.port();
    }

    private static String host(String listen) {
        return listen.substring(0, listen.lastIndexOf(':'));
    }

    /** What {@code /readyz} says now. */
    public Readiness readiness() {
        Phase p;
        synchronized (lock) {
            p = phase;
        }
        if (p != Phase.RUNNING) {
            return new Readiness(false, false, election != null ? election.leader() : null, "shutting down");
        }
        if (election == null) {
            return new Readiness(true, true, b.identity, "leading");
        }
        boolean leading = election.leading();
        String leader = election.leader();
        return new Readiness(true, leading, leader, leading ? "leading"
                : leader == null ? "standing by: no replica leads yet" : "standing by: '" + leader + "' leads");
    }

    /**
     * Stops the server with {@code mode} (see the class comment) and returns once it has stopped.
     * A second call while the first is under way returns at once; {@link #abort()} hurries it.
     */
    public void shutdown(ServerSettings.Shutdown mode) {
        Scheduler s;
        synchronized (lock) {
            if (phase != Phase.RUNNING) {
                return;
            }
            phase = Phase.STOPPING;
            s = scheduler;
            scheduler = null;
        }
        Duration grace = mode == ServerSettings.Shutdown.FINISH ? settings.shutdownGrace() : Duration.ZERO;
        int running = queue.active().size();
        b.log.accept("shutting down (" + mode.name().toLowerCase(java.util.Locale.ROOT) + "): " + running
                + " run(s) active" + (running > 0 && !grace.isZero() ? ", waiting up to "
                        + io.arca.core.repo.retention.DurationText.format(grace) + " for them" : ""));
        try {
            if (s != null) {
                s.close();
            }
            if (!queue.shutdown(grace, b.unwind)) {
                b.log.accept("shutdown: " + queue.active().size() + " run(s) did not end within "
                        + io.arca.core.repo.retention.DurationText.format(b.unwind) + " of being interrupted");
            }
            if (election != null) {
                election.close();
            }
        } finally {
            closeParts();
            synchronized (lock) {
                phase = Phase.STOPPED;
            }
            // logged before the latch opens: whoever waits on it may end the process at once
            b.log.accept("stopped");
            stopped.countDown();
        }
    }

    /** Closes what runs beside the queue, each whatever the others do: the last notices go out first. */
    private void closeParts() {
        List<AutoCloseable> parts = new ArrayList<>(List.of(objectives));
        if (metricsRefresh != null) {
            parts.add(metricsRefresh);
        }
        parts.add(notifier);
        parts.add(http);
        if (metrics != null) {
            parts.add(metrics);
        }
        parts.add(runLogs);
        if (kubernetes != null) {
            parts.add(kubernetes);
        }
        for (AutoCloseable c : parts) {
            try {
                c.close();
            } catch (Exception e) {
                b.log.accept("shutdown: closing " + c.getClass().getSimpleName() + " failed: " + e.getMessage());
            }
        }
    }

    /** Interrupts running jobs at once, also during a {@code finish} shutdown's grace period. */
    public void abort() {
        queue.abort();
    }

    /** Waits until the server has stopped; returns whether it has. */
    public boolean awaitStopped(Duration limit) throws InterruptedException {
        return stopped.await(limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Shuts down as {@code server.shutdown} says. */
    @Override
    public void close() {
        shutdown(settings.shutdown());
    }

    /** What a server is made of; the defaults are the production ones. */
    public static final class Builder {
        private final ArcaConfig config;
        private Map<String, String> environment = System.getenv();
        private Clock clock = Clock.systemUTC();
        private Random random = new Random();
        private String identity;
        private String listen;
        private JobListener listener = JobListener.NONE;
        private Consumer<String> log = line -> { };
        private Function<RunRecord.Job, SubjectJob> jobs = SubjectJobs::of;
        private Scheduler.History history;
        private Supplier<KubernetesClient> kubernetes = () -> new KubernetesClientBuilder().build();
        private LeaderElection.Timing electionTiming = LeaderElection.Timing.DEFAULT;
        private Duration unwind = UNWIND;
        private FireTimes.Reader fireTimes = FireTimes.cron();
        private Notifier.Options notifyOptions;
        private Duration metricsRefresh = MetricsModel.DEFAULT_REFRESH;
        private Duration objectivesEvery = OBJECTIVES_EVERY;

        private Builder(ArcaConfig config) {
            this.config = Objects.requireNonNull(config);
        }

        /** Where jobs read secrets ({@code System.getenv()} by default). */
        public Builder environment(Map<String, String> environment) {
            this.environment = environment;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The source of the scheduler's jitter. */
        public Builder random(Random random) {
            this.random = random;
            return this;
        }

        /** This replica's name: the Lease holder and the {@code host} of its run records (default: the host name). */
        public Builder identity(String identity) {
            this.identity = identity;
            return this;
        }

        /** {@code host:port} to listen on instead of {@code server.listen}. */
        public Builder listen(String listen) {
            this.listen = listen;
            return this;
        }

        /** Receives every run's events (the log of the front end). */
        public Builder listener(JobListener listener) {
            this.listener = listener;
            return this;
        }

        /** Receives one line per thing the server does or fails to do (never a secret). */
        public Builder log(Consumer<String> log) {
            this.log = log;
            return this;
        }

        /** The job of each kind of run ({@link SubjectJobs#of} by default). */
        public Builder jobs(Function<RunRecord.Job, SubjectJob> jobs) {
            this.jobs = jobs;
            return this;
        }

        /** When jobs last ran (by default from the run records of each subject's first repository). */
        public Builder history(Scheduler.History history) {
            this.history = history;
            return this;
        }

        /** The Kubernetes client for leader election (by default from the pod's service account or kubeconfig). */
        public Builder kubernetes(Supplier<KubernetesClient> kubernetes) {
            this.kubernetes = kubernetes;
            return this;
        }

        public Builder electionTiming(LeaderElection.Timing timing) {
            this.electionTiming = timing;
            return this;
        }

        /**
         * How schedule expressions are read: {@link FireTimes#cron()} (arca.yaml's five fields) by
         * default; a test that must fire every few seconds passes a dialect with seconds.
         */
        public Builder fireTimes(FireTimes.Reader reader) {
            this.fireTimes = reader;
            return this;
        }

        /** How notifications are delivered (retries, timeouts); this host's defaults otherwise. */
        public Builder notifyOptions(Notifier.Options options) {
            this.notifyOptions = options;
            return this;
        }

        /** How often {@code /metrics} rereads the repositories at most (besides after each run). */
        public Builder metricsRefresh(Duration every) {
            this.metricsRefresh = every;
            return this;
        }

        /** How often the objectives are checked besides after each run ({@link #OBJECTIVES_EVERY} by default). */
        public Builder objectivesEvery(Duration every) {
            this.objectivesEvery = every;
            return this;
        }

        /** How long interrupted jobs get to clean up ({@link #UNWIND} by default). */
        public Builder unwind(Duration unwind) {
            this.unwind = unwind;
            return this;
        }

        /**
         * Starts the server.
         *
         * @throws io.arca.core.error.UsageException for settings or schedules that cannot be used
         */
        public ArcaServer start() {
            if (identity == null) {
                identity = hostName(environment);
            }
            ServerSettings settings = ServerSettings.of(config);
            if (listen != null) {
                settings = settings.withListen(listen);
            }
            ArcaServer server = new ArcaServer(this, settings);
            server.start();
            return server;
        }
    }

    /** {@code HOSTNAME} (a pod's name) or the host's name. */
    static String hostName(Map<String, String> environment) {
        String pod = environment.get("HOSTNAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "arca-server";
        }
    }
}

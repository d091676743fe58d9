package io.arca.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Which replica of {@code arca server} schedules: the one holding a Kubernetes Lease (fabric8's
 * {@code LeaderElector} over a {@code LeaseLock}). The holder renews it every {@code retryPeriod}; a
 * replica that cannot renew within {@code renewDeadline} stops leading, and another takes the Lease
 * once it has not been renewed for {@code leaseDuration}. Closing releases the Lease, so a replica
 * that shuts down hands over at once. A replica that lost the lead stands again.
 *
 * <p>{@code onStart} and {@code onStop} run one at a time, in order, on a thread of their own (never
 * on the elector's, whose renewals must not wait for a scheduler to start).
 */
public final class LeaderElection implements AutoCloseable {
    /** The lease timings: client-go's defaults. */
    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2));
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Timing timing;
    private final Runnable onStart;
    private final Runnable onStop;
    private final Consumer<String> log;
    private final ExecutorService transitions = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "arca-leadership");
        t.setDaemon(true);
        return t;
    });

    private final Object lock = new Object();
    private CompletableFuture<?> election;
    private boolean leading;
    private String leader;
    private boolean closed;

    /**
     * An election for the Lease {@code namespace/name} as {@code identity} (the pod's name).
     *
     * @param onStart called when this replica starts leading
     * @param onStop called when it stops (also on {@link #close()} while it leads)
     * @param log notes on who leads
     */
    public LeaderElection(KubernetesClient client, String namespace, String name, String identity, Timing timing,
            Runnable onStart, Runnable onStop, Consumer<String> log) {
        this.client = Objects.requireNonNull(client);
        this.namespace = Objects.requireNonNull(namespace);
        this.name = Objects.requireNonNull(name);
        this.identity = Objects.requireNonNull(identity);
        this.timing = Objects.requireNonNull(timing);
        this.onStart = Objects.requireNonNull(onStart);
        this.onStop = Objects.requireNonNull(onStop);
        this.log = Objects.requireNonNull(log);
    }

    /** Stands for the lead; returns at once. */
    public void start() {
        synchronized (lock) {
            if (closed || election != null && !election.isDone()) {
                return;
            }
            var config = new LeaderElectionConfigBuilder().withName("arca-server")
                    .withLock(new LeaseLock(namespace, name, identity))
                    .withLeaseDuration(timing.leaseDuration()).withRenewDeadline(timing.renewDeadline())
                    .withRetryPeriod(timing.retryPeriod()).withReleaseOnCancel(true)
                    .withLeaderCallbacks(new LeaderCallbacks(() -> transition(true), () -> transition(false),
                            this::newLeader))
                    .build();
            CompletableFuture<?> f = client.leaderElector().withConfig(config).build().start();
            election = f;
            // an elector that lost the lead is done for good: stand again with a new one
            f.whenComplete((v, e) -> {
                synchronized (lock) {
                    if (closed || election != f) {
                        return;
                    }
                }
                execute(this::start);
            });
        }
    }

    /** Whether this replica leads now. */
    public boolean leading() {
        synchronized (lock) {
            return leading;
        }
    }

    /** The identity of the replica that leads, as last seen, or null when none was seen. */
    public String leader() {
        synchronized (lock) {
            return leader;
        }
    }

    /** This replica's identity. */
    public String identity() {
        return identity;
    }

    /** The Lease, as {@code namespace/name}. */
    public String lease() {
        return namespace + "/" + name;
    }

    private void newLeader(String who) {
        synchronized (lock) {
            leader = who;
        }
        if (who != null) {
            log.accept("leader election: '" + who + "' leads (lease " + lease() + ")");
        }
    }

    /** Applies a start or stop of the lead once, in order; the elector may report a stop twice. */
    private void transition(boolean start) {
        execute(() -> {
            synchronized (lock) {
                if (leading == start || start && closed) {
                    return;
                }
                leading = start;
            }
            (start ? onStart : onStop).run();
        });
    }

    private void execute(Runnable r) {
        try {
            transitions.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed: the server is stopping and applies no more changes
        }
    }

    /** Stops standing and releases the Lease when this replica holds it; waits for the stop to be applied. */
    @Override
    public void close() {
        CompletableFuture<?> f;
        synchronized (lock) {
            closed = true;
            f = election;
        }
        if (f != null) {
            // cancelling makes the elector release the Lease and call onStop
            f.cancel(true);
        }
        transitions.shutdown();
        try {
            if (!transitions.awaitTermination(30, TimeUnit.SECONDS)) {
                log.accept("leader election: the last change of leadership did not end within 30s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

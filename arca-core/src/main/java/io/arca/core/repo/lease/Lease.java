package io.arca.core.repo.lease;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A lease this process holds (see {@link Leases}). It renews itself every third of its time to live
 * on a daemon thread; {@link #close()} stops renewing and deletes it. Long work checks
 * {@link #ensureHeld()} before destructive steps.
 */
public final class Lease implements AutoCloseable {
    private final Leases leases;
    private final String key;
    private final LeaseRecord record;
    private final ScheduledExecutorService renewer;
    private volatile boolean lost;
    private volatile RuntimeException renewFailure;

    Lease(Leases leases, String key, LeaseRecord record) {
        this.leases = leases;
        this.key = key;
        this.record = record;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "arca-lease-renewer");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, leases.ttl().toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /** The lease object's key in the repository. */
    public String key() {
        return key;
    }

    public LeaseRecord record() {
        return record;
    }

    private void renew() {
        try {
            if (!leases.renew(key, record, leases.clock().instant().plus(leases.ttl()))) {
                lost = true;
                renewer.shutdown();
            }
            renewFailure = null;
        } catch (RuntimeException e) {
            // a failed renewal is retried next period; the lease only goes stale after the whole ttl
            renewFailure = e;
        }
    }

    /**
     * Fails with exit 11 when the lease went stale and was taken over by another process, so that
     * work that relies on it stops before it can do harm.
     */
    public void ensureHeld() {
        if (lost) {
            throw new ArcaException(ErrorCode.LOCK_HELD, "lost the lease '" + key + "' in '" + leases.storage().url()
                    + "': it was not renewed in time and another process took it over"
                    + (renewFailure == null ? "" : " (last renewal failed: " + renewFailure.getMessage() + ")"),
                    "check the connection to the repository and run the command again");
        }
    }

    /** Stops renewing; releases the lease unless it was lost. Never throws. */
    @Override
    public void close() {
        renewer.shutdownNow();
        try {
            renewer.awaitTermination(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // released also when a signal interrupted the work: an interrupted thread's file channels
        // close at once, which would fail the lease's read
        boolean interrupted = Thread.interrupted();
        try {
            leases.deleteIfMine(key, record.nonce());
        } catch (RuntimeException ignored) {
            // an unreleased lease expires after its ttl; the work itself is done
        }
        // after a prune on a full repository used the reserve, it is back once prune freed space
        leases.ensureReserve();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

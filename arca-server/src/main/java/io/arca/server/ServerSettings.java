package io.arca.server;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import io.arca.core.repo.retention.DurationText;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code server:} section of {@code arca.yaml} with its defaults filled in and its values checked.
 *
 * @param listen {@code host:port} the HTTP side binds to
 * @param concurrency how many runs at once (wal-receive runs not counted)
 * @param jitter the most a scheduled run is delayed by, at random, after its fire time
 * @param missedRuns what happens at start to a fire time that passed while no server ran
 * @param shutdown what a shutdown does to running jobs
 * @param shutdownGrace how long {@link Shutdown#FINISH} waits before it interrupts them
 * @param leaderElection whether a Kubernetes Lease decides which replica schedules
 * @param leaseNamespace the Lease's namespace, or null for the pod's
 * @param leaseName the Lease's name
 */
public record ServerSettings(String listen, int concurrency, Duration jitter, MissedRuns missedRuns, Shutdown shutdown,
        Duration shutdownGrace, boolean leaderElection, String leaseNamespace, String leaseName) {
    public static final String DEFAULT_LISTEN = io.arca.server.http.HttpApi.DEFAULT_LISTEN;
    public static final int DEFAULT_CONCURRENCY = 2;
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(10);
    public static final String DEFAULT_LEASE_NAME = "arca-server";

    public ServerSettings {
        Objects.requireNonNull(listen);
        Objects.requireNonNull(jitter);
        Objects.requireNonNull(missedRuns);
        Objects.requireNonNull(shutdown);
        Objects.requireNonNull(shutdownGrace);
        Objects.requireNonNull(leaseName);
        if (concurrency < 1) {
            throw new UsageException("server.concurrency: " + concurrency + " is less than 1",
                    "set server.concurrency to how many jobs may run at once, e.g. 2", null);
        }
    }

    /** A run missed while no server ran: {@code once} runs it at start, {@code skip} waits for the next fire time. */
    public enum MissedRuns {
        ONCE, SKIP
    }

    /**
     * What a shutdown does to running jobs: {@code finish} lets them end (up to the grace period),
     * {@code abort} interrupts them at once; either way they clean up (a backup without its manifest
     * is discarded) and their runs are recorded.
     */
    public enum Shutdown {
        FINISH, ABORT
    }

    /** The settings of {@code config}'s {@code server:} section (defaults where it has none). */
    public static ServerSettings of(ArcaConfig config) {
        ArcaConfig.Server s = config.server();
        if (s == null) {
            s = new ArcaConfig.Server(null, null, null, null, null, null, null, null, null);
        }
        ArcaConfig.LeaderElection le = s.leaderElection();
        return new ServerSettings(s.listen() != null ? s.listen() : DEFAULT_LISTEN,
                s.concurrency() != null ? s.concurrency() : DEFAULT_CONCURRENCY,
                duration("server.jitter", s.jitter(), Duration.ZERO),
                choice("server.missedRuns", s.missedRuns(), MissedRuns.class, MissedRuns.ONCE),
                choice("server.shutdown", s.shutdown(), Shutdown.class, Shutdown.FINISH),
                duration("server.shutdownGrace", s.shutdownGrace(), DEFAULT_GRACE),
                le != null && Boolean.TRUE.equals(le.enabled()), le != null ? le.namespace() : null,
                le != null && le.name() != null ? le.name() : DEFAULT_LEASE_NAME);
    }

    /** The same settings listening on {@code listen} (a flag or the environment over the file). */
    public ServerSettings withListen(String listen) {
        return new ServerSettings(listen, concurrency, jitter, missedRuns, shutdown, shutdownGrace, leaderElection,
                leaseNamespace, leaseName);
    }

    /** The same settings with another shutdown mode (tests, and a second signal during a shutdown). */
    public ServerSettings withShutdown(Shutdown mode, Duration grace) {
        return new ServerSettings(listen, concurrency, jitter, missedRuns, mode, grace, leaderElection, leaseNamespace,
                leaseName);
    }

    private static Duration duration(String field, String text, Duration otherwise) {
        if (text == null) {
            return otherwise;
        }
        try {
            return DurationText.parse(text);
        } catch (UsageException e) {
            throw new UsageException(field + ": " + e.getMessage(), "write a duration such as 30s, 10m or 1h", e);
        }
    }

    private static <E extends Enum<E>> E choice(String field, String text, Class<E> type, E otherwise) {
        if (text == null) {
            return otherwise;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(text)) {
                return e;
            }
        }
        StringBuilder names = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            names.append(names.length() == 0 ? "" : " or ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new UsageException(field + ": '" + text + "' is not one of " + names, "set " + field + " to " + names,
                null);
    }
}

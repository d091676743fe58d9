package io.arca.postgres.logical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bounds how long a restore's sessions wait for a lock. {@code pg_restore} and {@code pg_dump}
 * set {@code lock_timeout = 0} themselves at the start of every session (it is in the archive's
 * fixed preamble), so the setting cannot be passed to them; instead a watcher polls {@code
 * pg_stat_activity} for the sessions carrying the restore's application name. One that waits for
 * a lock longer than the timeout is cancelled ({@code pg_cancel_backend}), its tool fails, and
 * {@link #blocked} then names the sessions that held the lock ({@code pg_blocking_pids}).
 */
final class LockWatch implements AutoCloseable {
    private static final long POLL_MILLIS = 100;

    private final ConnectionSettings maintenance;
    private final String application;
    private final Duration timeout;
    private final String terminateOn;
    private final AtomicReference<ArcaException> blocked = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stop;

    private LockWatch(ConnectionSettings maintenance, String application, Duration timeout, String terminateOn) {
        this.maintenance = maintenance;
        this.application = application;
        this.timeout = timeout;
        this.terminateOn = terminateOn;
        this.thread = new Thread(this::watch, "arca-lock-watch");
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching the sessions named {@code application} on the server of {@code maintenance}.
     *
     * @param terminateOn a database whose sessions may be ended when they block ours longer than
     *     the timeout ({@code --terminate-connections}); null to cancel our waiting session instead
     */
    static LockWatch start(ConnectionSettings maintenance, String application, Duration timeout, String terminateOn) {
        LockWatch w = new LockWatch(maintenance, application, timeout, terminateOn);
        w.thread.start();
        return w;
    }

    /**
     * The error naming the session that held a lock one of ours waited for, once the watcher
     * cancelled that wait; null when nothing was cancelled.
     */
    ArcaException blocked() {
        return blocked.get();
    }

    /** The application name of the restore's sessions. */
    String application() {
        return application;
    }

    /**
     * The error to report for {@code failure}: when the watcher cancelled a lock wait, the error
     * naming the blocking session with {@code state} (what became of the target) appended, the
     * failure as its cause; otherwise {@code failure} itself.
     */
    ArcaException explain(ArcaException failure, String state) {
        ArcaException b = blocked.get();
        if (b == null) {
            return failure;
        }
        return new ArcaException(b.code(), b.getMessage() + state, b.hint(), failure);
    }

    private void watch() {
        Map<Integer, Long> waitingSince = new HashMap<>();
        try (Connection c = PgConnections.open(maintenance)) {
            while (!stop) {
                Map<Integer, List<Integer>> waiting = waiting(c);
                waitingSince.keySet().retainAll(waiting.keySet());
                long now = System.nanoTime();
                for (Map.Entry<Integer, List<Integer>> e : waiting.entrySet()) {
                    long since = waitingSince.computeIfAbsent(e.getKey(), k -> now);
                    if (now - since >= timeout.toNanos()) {
                        cancel(c, e.getKey(), e.getValue());
                        waitingSince.remove(e.getKey());
                    }
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException e) {
            // Watching is a safeguard: a restore goes on without it, as it did before.
        }
    }

    /** Our sessions waiting for a lock held by another session, each with the pids of those. */
    private Map<Integer, List<Integer>> waiting(Connection c) throws SQLException {
        Map<Integer, List<Integer>> out = new HashMap<>();
        // Waits among our own sessions (pg_restore's workers) are the tool's own scheduling, not a blocker.
        try (PreparedStatement ps = c.prepareStatement("select a.pid, array(select b.pid from pg_stat_activity b"
                + " where b.pid = any(pg_blocking_pids(a.pid)) and b.application_name is distinct from ?)"
                + " from pg_stat_activity a where a.application_name = ? and a.wait_event_type = 'Lock'")) {
            ps.setString(1, application);
            ps.setString(2, application);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array a = rs.getArray(2);
                    List<Integer> pids = new ArrayList<>();
                    for (Object o : (Object[]) a.getArray()) {
                        pids.add(((Number) o).intValue());
                    }
                    if (!pids.isEmpty()) {
                        out.put(rs.getInt(1), pids);
                    }
                }
            }
        }
        return out;
    }

    private void cancel(Connection c, int pid, List<Integer> blockers) throws SQLException {
        String waitedFor = "";
        try (PreparedStatement ps = c.prepareStatement("select left(query, 200) from pg_stat_activity where pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getString(1) != null) {
                    waitedFor = rs.getString(1).replaceAll("\\s+", " ").strip();
                }
            }
        }
        if (terminateOn != null && terminate(c, blockers)) {
            return;
        }
        List<TargetSessions.Session> holders = TargetSessions.withPids(c, blockers);
        String who = holders.isEmpty() ? "pid " + blockers : TargetSessions.describe(holders);
        blocked.compareAndSet(null, new ArcaException(ErrorCode.FAILURE, "the restore waited more than "
                + describe(timeout) + " for a lock held by " + who + (waitedFor.isEmpty() ? "" : " (waiting in: "
                + waitedFor + ")"),
                "end that session or wait until it is done, then run the restore again; --lock-timeout sets how long"
                        + " the restore waits, --terminate-connections ends the target's sessions before a swap"));
        try (PreparedStatement ps = c.prepareStatement("select pg_cancel_backend(?)")) {
            ps.setInt(1, pid);
            ps.executeQuery().close();
        }
    }

    /** Ends the blockers when they are all sessions on {@code terminateOn}; false when one is not. */
    private boolean terminate(Connection c, List<Integer> blockers) throws SQLException {
        Array pids = c.createArrayOf("int4", blockers.toArray());
        try (PreparedStatement ps = c.prepareStatement("select count(*) from pg_stat_activity where pid = any(?)"
                + " and datname is distinct from ?")) {
            ps.setArray(1, pids);
            ps.setString(2, terminateOn);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(1) > 0) {
                    return false;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("select pg_terminate_backend(pid) from unnest(?) as pid")) {
            ps.setArray(1, pids);
            ps.executeQuery().close();
        }
        return true;
    }

    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.arca.postgres.logical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The other sessions on a restore target: listed (by pid, user and application) so that an error
 * can name them, ended with {@code pg_terminate_backend} only when the user asked for it.
 * Autovacuum workers are left out: PostgreSQL ends them itself for a rename or a drop.
 */
final class TargetSessions {

    /** One session as {@code pg_stat_activity} shows it; {@code query} is cut to 200 characters. */
    record Session(int pid, String user, String application, String state, String query) {

        /** {@code pid 123 (user app, application 'psql', idle in transaction: update ...)}. */
        String describe() {
            StringBuilder sb = new StringBuilder("pid ").append(pid).append(" (user ").append(user == null ? "?" : user)
                    .append(", application '").append(application == null ? "" : application).append('\'');
            if (state != null) {
                sb.append(", ").append(state);
            }
            if (query != null && !query.isBlank()) {
                sb.append(": ").append(query.replaceAll("\\s+", " ").strip());
            }
            return sb.append(')').toString();
        }
    }

    private TargetSessions() {
    }

    /**
     * The client sessions (and WAL senders) connected to {@code database}, other than the
     * caller's and those whose application name is {@code ownApplication} (this restore's tools).
     */
    static List<Session> on(Connection c, String database, String ownApplication) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pid, usename, application_name, state, left(query, 200)"
                + " from pg_stat_activity where datname = ? and pid <> pg_backend_pid()"
                + " and backend_type in ('client backend', 'walsender') and application_name is distinct from ?"
                + " order by pid")) {
            ps.setString(1, database);
            ps.setString(2, ownApplication);
            return read(ps);
        }
    }

    /** The sessions with these pids (those that have ended are left out). */
    static List<Session> withPids(Connection c, List<Integer> pids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pid, usename, application_name, state, left(query, 200)"
                + " from pg_stat_activity where pid = any(?) order by pid")) {
            Array array = c.createArrayOf("int4", pids.toArray());
            ps.setArray(1, array);
            return read(ps);
        }
    }

    private static List<Session> read(PreparedStatement ps) throws SQLException {
        List<Session> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Session(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        }
        return out;
    }

    /** {@code pid 1 (...), pid 2 (...)}. */
    static String describe(List<Session> sessions) {
        return sessions.stream().map(Session::describe).collect(Collectors.joining(", "));
    }

    /** The error for sessions that block a restore, when --terminate-connections was not given. */
    static ArcaException inTheWay(String database, List<Session> sessions, String whatIsUnchanged) {
        return new ArcaException(ErrorCode.FAILURE, "database '" + database + "' has " + sessions.size() + " other session"
                + (sessions.size() == 1 ? "" : "s") + ": " + describe(sessions) + "; " + whatIsUnchanged,
                "end them (stop the applications, or pg_terminate_backend), or pass --terminate-connections to have"
                        + " arca end them just before it replaces the database");
    }

    /**
     * Ends the sessions and waits, at most {@code waitMillis}, until they are gone.
     *
     * @throws ArcaException FAILURE naming the sessions that remain
     */
    static void terminate(Connection c, String database, List<Session> sessions, long waitMillis) throws SQLException {
        List<Integer> pids = sessions.stream().map(Session::pid).toList();
        try (PreparedStatement ps = c.prepareStatement("select pg_terminate_backend(pid) from unnest(?) as pid")) {
            ps.setArray(1, c.createArrayOf("int4", pids.toArray()));
            ps.executeQuery().close();
        }
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        List<Session> left = withPids(c, pids);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while ending the sessions on '" + database + "'");
            }
            left = withPids(c, pids);
        }
        if (!left.isEmpty()) {
            throw new ArcaException(ErrorCode.FAILURE, "sessions on database '" + database + "' did not end within "
                    + waitMillis + " ms: " + describe(left),
                    "check that the restoring role may end them (superuser or pg_signal_backend), or end them yourself");
        }
    }
}

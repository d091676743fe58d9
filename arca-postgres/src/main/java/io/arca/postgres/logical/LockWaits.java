package io.arca.postgres.logical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Lock waits that ran out while backing up: which tables were waited for (from {@code pg_dump}'s
 * output or a statement of Arca's own), which sessions held or requested the conflicting lock,
 * and the error that names both.
 *
 * <p>A backup reads with {@code ACCESS SHARE} locks, which only {@code ACCESS EXCLUSIVE} blocks
 * ({@code ALTER TABLE}, {@code DROP}, {@code TRUNCATE}, {@code VACUUM FULL}, {@code LOCK TABLE}).
 * A session that merely waits for {@code ACCESS EXCLUSIVE} blocks the backup too: PostgreSQL
 * queues later requests behind it.
 */
final class LockWaits {
    /** A timed-out lock wait, {@code 55P03}. */
    static final String LOCK_NOT_AVAILABLE = "55P03";
    /** A statement cancelled by {@code statement_timeout}, {@code 57014}. */
    static final String QUERY_CANCELED = "57014";

    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_NAMED = 5;
    // pg_dump's main process: "Query was: LOCK TABLE public.a[, public.b ...] IN ACCESS SHARE MODE"
    private static final Pattern LOCK_QUERY = Pattern.compile("LOCK TABLE (.+?) IN ACCESS SHARE MODE");
    // a parallel pg_dump worker (NOWAIT): could not obtain lock on relation "public.a"
    private static final Pattern WORKER_LOCK = Pattern.compile("could not obtain lock on relation \"(.+)\"");
    // a comma outside double quotes
    private static final Pattern LIST_COMMA = Pattern.compile(",\\s*(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");

    private LockWaits() {
    }

    /**
     * A session holding, or waiting for, a lock that conflicts with reading a table.
     *
     * @param relation the table, as {@code regclass} prints it
     * @param granted true when the session holds the lock, false when it waits for it
     * @param behind the sessions a waiting session waits for (empty when it holds the lock)
     */
    record Holder(String relation, int pid, String user, String application, boolean granted, List<Integer> behind) {
        Holder {
            behind = List.copyOf(behind);
        }

        String describe() {
            return "session pid " + pid + " (user '" + user + "'"
                    + (application.isEmpty() ? "" : ", application '" + application + "'") + ")"
                    + (granted ? " holds" : " waits for") + " an ACCESS EXCLUSIVE lock on table '" + relation + "'"
                    + (behind.isEmpty() ? "" : " behind pid " + behind.stream().map(String::valueOf)
                            .collect(Collectors.joining(", pid ")));
        }
    }

    /** A lock wait on {@code table} that ran out in one of Arca's own statements. */
    static final class TableLockTimeout extends SQLException {
        private static final long serialVersionUID = 1L;
        private final transient TableRef table;

        TableLockTimeout(TableRef table, SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
            this.table = table;
        }

        TableRef table() {
            return table;
        }
    }

    /** True when {@code e} is a lock wait that ran out ({@code lock_timeout}). */
    static boolean isLockTimeout(SQLException e) {
        return LOCK_NOT_AVAILABLE.equals(e.getSQLState());
    }

    /**
     * The tables {@code pg_dump} was waiting to lock when it failed, from its standard error:
     * empty when it failed for another reason.
     */
    static List<String> lockedRelations(List<String> stderr) {
        String all = String.join("\n", stderr).toLowerCase(Locale.ROOT);
        Set<String> relations = new LinkedHashSet<>();
        boolean timedOut = all.contains("canceling statement due to statement timeout")
                || all.contains("canceling statement due to lock timeout");
        for (String line : stderr) {
            Matcher lock = LOCK_QUERY.matcher(line);
            if (timedOut && lock.find()) {
                for (String r : LIST_COMMA.split(lock.group(1).strip())) {
                    relations.add(r.strip());
                }
            }
            Matcher worker = WORKER_LOCK.matcher(line);
            if (worker.find()) {
                relations.add(worker.group(1));
            }
        }
        return List.copyOf(relations);
    }

    /**
     * The sessions other than Arca's that hold or wait for an {@code ACCESS EXCLUSIVE} lock on
     * any of {@code relations}, looked up on a connection of its own (bounded by the connect
     * timeout and a short statement timeout). Best effort: empty when the lookup itself fails.
     */
    static List<Holder> holders(ConnectionSettings db, List<String> relations) {
        // a session waiting for ACCESS EXCLUSIVE blocks readers too: name it and whom it waits for
        String sql = "select l.relation::regclass::text, l.pid, coalesce(a.usename, ''),"
                + " coalesce(a.application_name, ''), l.granted,"
                + " case when l.granted then '{}'::int[] else pg_blocking_pids(l.pid) end"
                + " from pg_locks l left join pg_stat_activity a on a.pid = l.pid"
                + " where l.locktype = 'relation' and l.mode = 'AccessExclusiveLock' and l.pid <> pg_backend_pid()"
                + " and l.database = (select oid from pg_database where datname = current_database())"
                + " and l.relation in (select to_regclass(r) from unnest(?::text[]) r)"
                + " order by l.granted desc, l.pid";
        List<Holder> holders = new ArrayList<>();
        try (Connection c = PgConnections.open(db)) {
            try (Statement st = c.createStatement()) {
                st.execute("set statement_timeout = " + LOOKUP_TIMEOUT.toMillis());
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setArray(1, c.createArrayOf("text", relations.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<Integer> behind = new ArrayList<>();
                        for (Object pid : (Object[]) rs.getArray(6).getArray()) {
                            behind.add(((Number) pid).intValue());
                        }
                        holders.add(new Holder(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                                rs.getBoolean(5), behind));
                    }
                }
            }
        } catch (SQLException | ArcaException e) {
            // The error names the table in any case; the holder is extra detail.
        }
        return holders;
    }

    /**
     * The error for a lock wait that ran out.
     *
     * @param who what waited ({@code pg_dump}, {@code counting the rows of table 'x'})
     * @param relations the tables waited for
     * @param waited the lock wait timeout
     */
    static ArcaException timedOut(String who, List<String> relations, Duration waited, List<Holder> holders,
            Throwable cause) {
        // pg_dump 16+ locks tables in batches: name the ones a session blocks, else a few
        List<String> named = relations.size() > 1 && !holders.isEmpty()
                ? holders.stream().map(Holder::relation).distinct().toList() : relations;
        String tables = named.stream().limit(MAX_NAMED).map(r -> "'" + r + "'").collect(Collectors.joining(", "))
                + (named.size() > MAX_NAMED ? " and " + (named.size() - MAX_NAMED) + " more" : "");
        String message = who + " waited " + text(waited) + " for a lock on table" + (named.size() == 1 ? " " : "s ")
                + tables + ": " + (holders.isEmpty() ? "the session that held it has ended since"
                        : holders.stream().map(Holder::describe).collect(Collectors.joining("; ")));
        String end = holders.isEmpty() ? "" : " or end it (select pg_terminate_backend(" + holders.get(0).pid() + "))";
        return new ArcaException(ErrorCode.PG_LOCK_TIMEOUT, message,
                "back up again once that session has committed" + end + "; --lock-wait-timeout sets how long a"
                        + " backup waits for a table (now " + text(waited) + ")", cause);
    }

    /** {@code 5m}, {@code 90s} or {@code 1500ms}. */
    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}

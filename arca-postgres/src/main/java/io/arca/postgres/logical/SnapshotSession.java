package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.manifest.PostgresSection.MigrationInfo;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A connection holding a repeatable-read, read-only transaction whose snapshot is exported for
 * {@code pg_dump --snapshot}: row counts and the migration version read here see exactly the data
 * the dump contains. The transaction stays open until {@link #close()}, which must come after
 * {@code pg_dump} has finished. All SQL runs on one background thread, so counting overlaps the
 * dump.
 *
 * <p>Every wait is bounded: the connection by its connect timeout, lock waits by {@code
 * lock_timeout} (the backup's lock wait timeout), and the statements other than row counts by
 * {@code statement_timeout} ({@value #STATEMENT_TIMEOUT_MARGIN_SECONDS} s more than the lock wait,
 * so that a lock wait is reported as one). A count may take as long as the table needs.
 */
final class SnapshotSession implements AutoCloseable {
    /** How much longer than the lock wait the session's other statements may take. */
    static final int STATEMENT_TIMEOUT_MARGIN_SECONDS = 60;

    private final Connection connection;
    private final ConnectionSettings settings;
    private final Duration lockWait;
    private final ExecutorService worker;
    private final ServerInfo server;
    private final String snapshot;
    private boolean counting;

    private SnapshotSession(Connection connection, ConnectionSettings settings, Duration lockWait,
            ExecutorService worker, ServerInfo server, String snapshot) {
        this.connection = connection;
        this.settings = settings;
        this.lockWait = lockWait;
        this.worker = worker;
        this.server = server;
        this.snapshot = snapshot;
    }

    /** Connects, reads the server facts and exports a snapshot, each wait bounded (see above). */
    static SnapshotSession open(ConnectionSettings settings, Duration lockWait) {
        Connection connection = PgConnections.open(settings);
        try {
            try (Statement st = connection.createStatement()) {
                st.execute("set statement_timeout = "
                        + lockWait.plusSeconds(STATEMENT_TIMEOUT_MARGIN_SECONDS).toMillis());
                st.execute("set lock_timeout = " + lockWait.toMillis());
                // the snapshot's transaction idles while pg_dump runs: a server-wide idle timeout must not end it
                st.execute("set idle_in_transaction_session_timeout = 0");
            }
            ServerInfo server = ServerInfo.read(connection, settings);
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            String snapshot;
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery("select pg_export_snapshot()")) {
                rs.next();
                snapshot = rs.getString(1);
            }
            ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "arca-snapshot");
                t.setDaemon(true);
                return t;
            });
            return new SnapshotSession(connection, settings, lockWait, worker, server, snapshot);
        } catch (SQLException e) {
            closeQuietly(connection);
            if (LockWaits.QUERY_CANCELED.equals(e.getSQLState())) {
                throw new ArcaException(ErrorCode.FAILURE, "starting a snapshot on '" + settings.describe()
                        + "' took longer than " + LockWaits.text(lockWait.plusSeconds(STATEMENT_TIMEOUT_MARGIN_SECONDS))
                        + " (statement timeout): " + e.getMessage(),
                        "check the server's load and its sessions (pg_stat_activity), then back up again", e);
            }
            throw new ArcaException(ErrorCode.FAILURE, "cannot start a snapshot on '" + settings.describe() + "': "
                    + e.getMessage(), "check that the user may read the database", e);
        }
    }

    ServerInfo server() {
        return server;
    }

    /** The exported snapshot id for {@code pg_dump --snapshot}. */
    String snapshot() {
        return snapshot;
    }

    /** Counts the table's rows in the snapshot, on the session's thread. */
    CompletableFuture<Long> countRows(TableRef table) {
        return CompletableFuture.supplyAsync(() -> {
            try (Statement st = connection.createStatement()) {
                if (!counting) {
                    // a count reads the whole table: it takes as long as it takes (lock waits stay bounded)
                    st.execute("set statement_timeout = 0");
                    counting = true;
                }
                try (ResultSet rs = st.executeQuery("select count(*) from only " + table.qualified())) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                if (LockWaits.isLockTimeout(e)) {
                    throw lockTimedOut("counting the rows of table '" + table + "'", table, e);
                }
                throw new ArcaException(ErrorCode.FAILURE, "cannot count rows of table '" + table + "': "
                        + e.getMessage(), "pass --no-row-counts to skip counting", e);
            }
        }, worker);
    }

    private ArcaException lockTimedOut(String who, TableRef table, SQLException e) {
        List<String> relations = List.of(table.qualified());
        return LockWaits.timedOut(who, relations, lockWait, LockWaits.holders(settings, relations), e);
    }

    /** The schema migration version in the snapshot, or null when no known migration table exists. */
    CompletableFuture<MigrationInfo> migration() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return MigrationVersions.read(connection);
            } catch (LockWaits.TableLockTimeout e) {
                throw lockTimedOut("reading the schema migration version", e.table(), e);
            } catch (SQLException e) {
                String timeout = LockWaits.QUERY_CANCELED.equals(e.getSQLState())
                        ? " (statement timeout " + LockWaits.text(lockWait.plusSeconds(STATEMENT_TIMEOUT_MARGIN_SECONDS))
                                + ")" : "";
                throw new ArcaException(ErrorCode.FAILURE, "cannot read the schema migration version"
                        + timeout + ": " + e.getMessage(), "check that the user may read the migration table", e);
            }
        }, worker);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing ends the transaction; nothing was written.
        }
    }
}

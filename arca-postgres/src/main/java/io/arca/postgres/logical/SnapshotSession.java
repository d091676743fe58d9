package io.arca.postgres.logical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest.MigrationInfo;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A connection holding a repeatable-read, read-only transaction whose snapshot is exported for
 * {@code pg_dump --snapshot}: row counts and the migration version read here see exactly the data
 * the dump contains. The transaction stays open until {@link #close()}, which must come after
 * {@code pg_dump} has finished. All SQL runs on one background thread, so counting overlaps the
 * dump.
 */
final class SnapshotSession implements AutoCloseable {
    private final Connection connection;
    private final ExecutorService worker;
    private final ServerInfo server;
    private final String snapshot;

    private SnapshotSession(Connection connection, ExecutorService worker, ServerInfo server, String snapshot) {
        this.connection = connection;
        this.worker = worker;
        this.server = server;
        this.snapshot = snapshot;
    }

    /** Connects, reads the server facts and exports a snapshot. */
    static SnapshotSession open(ConnectionSettings settings) {
        Connection connection = PgConnections.open(settings);
        try {
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
            return new SnapshotSession(connection, worker, server, snapshot);
        } catch (SQLException e) {
            closeQuietly(connection);
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
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery("select count(*) from only " + table.qualified())) {
                rs.next();
                return rs.getLong(1);
            } catch (SQLException e) {
                throw new ArcaException(ErrorCode.FAILURE, "cannot count rows of table '" + table + "': "
                        + e.getMessage(), "pass --no-row-counts to skip counting", e);
            }
        }, worker);
    }

    /** The schema migration version in the snapshot, or null when no known migration table exists. */
    CompletableFuture<MigrationInfo> migration() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return MigrationVersions.read(connection);
            } catch (SQLException e) {
                throw new ArcaException(ErrorCode.FAILURE, "cannot read the schema migration version: " + e.getMessage(),
                        "check that the user may read the migration table", e);
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

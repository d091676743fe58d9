package io.arca.postgres.logical;

import io.arca.postgres.local.ConnectionSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Facts about the server and database being backed up.
 *
 * @param database current database
 * @param host host:port as connected
 * @param version {@code server_version}
 * @param versionNum {@code server_version_num}
 * @param systemIdentifier the cluster's system identifier, or null when the role may not read it
 * @param encoding database encoding
 * @param lsn current WAL position (replay position on a standby), or null
 */
record ServerInfo(String database, String host, String version, int versionNum, String systemIdentifier,
        String encoding, String lsn) {

    int major() {
        return versionNum / 10000;
    }

    static ServerInfo read(Connection c, ConnectionSettings settings) throws SQLException {
        String database;
        String version;
        int versionNum;
        String encoding;
        boolean inRecovery;
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_database(), current_setting('server_version'),"
                        + " current_setting('server_version_num')::int, pg_encoding_to_char(encoding),"
                        + " pg_is_in_recovery() from pg_database where datname = current_database()")) {
            rs.next();
            database = rs.getString(1);
            version = rs.getString(2);
            versionNum = rs.getInt(3);
            encoding = rs.getString(4);
            inRecovery = rs.getBoolean(5);
        }
        String lsn = optional(c, inRecovery ? "select pg_last_wal_replay_lsn()::text" : "select pg_current_wal_lsn()::text");
        String systemId = optional(c, "select system_identifier::text from pg_control_system()");
        return new ServerInfo(database, settings.host() + ":" + settings.port(), version, versionNum, systemId,
                encoding, lsn);
    }

    /**
     * Runs a query that a non-superuser may not be allowed to run; null when refused. A timeout
     * or a lost connection is not a refusal and is thrown.
     */
    private static String optional(Connection c, String sql) throws SQLException {
        boolean auto = c.getAutoCommit();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.equals(LockWaits.QUERY_CANCELED) || state.equals(LockWaits.LOCK_NOT_AVAILABLE)
                    || state.startsWith("08")) {
                throw e;
            }
            if (!auto) {
                c.rollback();
            }
            return null;
        }
    }
}

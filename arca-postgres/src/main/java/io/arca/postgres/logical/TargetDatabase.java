package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The database a restore writes into: whether it exists, creating it, and what it holds. */
final class TargetDatabase {
    private TargetDatabase() {
    }

    /** Server major version of the target's server, read over the maintenance database. */
    static int serverMajor(ConnectionSettings target) {
        try (Connection c = maintenance(target); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1) / 10000;
        } catch (SQLException e) {
            throw failure(target, e);
        }
    }

    /** Creates the database unless it exists; true when it was created. */
    static boolean createIfMissing(ConnectionSettings target, String encoding) {
        try (Connection c = maintenance(target)) {
            try (PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                ps.setString(1, target.database());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            String sql = "create database " + TableRef.quote(target.database()) + " template template0"
                    + (encoding == null ? "" : " encoding '" + encoding.replace("'", "''") + "'");
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
            return true;
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot create database '" + target.database() + "' at '"
                    + target.host() + ":" + target.port() + "': " + e.getMessage(),
                    "create it yourself, or connect as a role with CREATEDB", e);
        }
    }

    /** Drops the database, ignoring errors (used after a failed restore into a database it created). */
    static void dropQuietly(ConnectionSettings target) {
        try (Connection c = maintenance(target); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + TableRef.quote(target.database()) + " with (force)");
        } catch (SQLException | RuntimeException ignored) {
            // best effort
        }
    }

    /**
     * A short description of the user objects in the database ("3 tables, 1 schema"), or null when
     * it holds none. Counts relations, routines, types and schemas outside the system schemas, and
     * large objects.
     */
    static String contents(ConnectionSettings target) {
        String sql = "select"
                + " (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + "   where c.relkind in ('r','p','v','m','S','f') and n.nspname not in ('pg_catalog','information_schema')"
                + "   and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'),"
                + " (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
                + "   where n.nspname not in ('pg_catalog','information_schema')"
                + "   and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')),"
                + " (select count(*) from pg_namespace n where n.nspname not in ('pg_catalog','information_schema','public')"
                + "   and n.nspname not like 'pg\\_%'),"
                + " (select count(*) from pg_largeobject_metadata)";
        try (Connection c = PgConnections.open(target); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            long relations = rs.getLong(1);
            long routines = rs.getLong(2);
            long schemas = rs.getLong(3);
            long largeObjects = rs.getLong(4);
            if (relations + routines + schemas + largeObjects == 0) {
                return null;
            }
            StringBuilder sb = new StringBuilder();
            append(sb, relations, "relation");
            append(sb, routines, "function");
            append(sb, schemas, "schema");
            append(sb, largeObjects, "large object");
            return sb.toString();
        } catch (SQLException e) {
            throw failure(target, e);
        }
    }

    /** The tables (ordinary and partitioned) outside the system schemas, sorted. */
    static java.util.List<TableRef> tables(ConnectionSettings target) {
        String sql = "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema')"
                + " and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%' and not c.relispartition"
                + " order by 1, 2";
        java.util.List<TableRef> out = new java.util.ArrayList<>();
        try (Connection c = PgConnections.open(target); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(new TableRef(rs.getString(1), rs.getString(2)));
            }
            return out;
        } catch (SQLException e) {
            throw failure(target, e);
        }
    }

    /**
     * Why replacing the target with this backup needs {@code --confirm-target}, or null when it
     * does not: the backup was taken of a database with another name, or the target holds tables
     * and none of them is in the backup (another application's database).
     */
    static String confirmationNeeded(io.arca.core.repo.BackupManifest backup, String targetName,
            java.util.List<TableRef> targetTables) {
        return confirmationNeeded(PostgresSection.database(backup), backup.backupId(), targetName, targetTables);
    }

    static String confirmationNeeded(io.arca.postgres.manifest.PostgresSection.DatabaseInfo db, String backupId,
            String targetName, java.util.List<TableRef> targetTables) {
        if (db == null) {
            return null;
        }
        java.util.List<String> why = new java.util.ArrayList<>();
        if (db.name() != null && !db.name().equals(targetName)) {
            why.add("backup '" + backupId + "' is of database '" + db.name() + "', not '" + targetName + "'");
        }
        java.util.Set<TableRef> inBackup = new java.util.HashSet<>();
        db.tables().forEach(t -> inBackup.add(new TableRef(t.schema(), t.name())));
        if (!targetTables.isEmpty() && !inBackup.isEmpty() && targetTables.stream().noneMatch(inBackup::contains)) {
            java.util.List<String> shown = targetTables.stream().limit(5).map(TableRef::qualified).toList();
            why.add("none of the " + targetTables.size() + " table(s) in '" + targetName + "' (" + String.join(", ", shown)
                    + (targetTables.size() > shown.size() ? ", ..." : "") + ") is in the backup");
        }
        return why.isEmpty() ? null : String.join("; ", why);
    }

    private static void append(StringBuilder sb, long n, String what) {
        if (n == 0) {
            return;
        }
        if (sb.length() > 0) {
            sb.append(", ");
        }
        sb.append(n).append(' ').append(what).append(n == 1 ? "" : "s");
    }

    /**
     * The same server's maintenance database, for work that must not run in the target (create,
     * rename, drop it): postgres, or template1 when the target is postgres or there is no postgres.
     */
    static ConnectionSettings maintenanceSettings(ConnectionSettings target) {
        if (!target.database().equals("postgres")) {
            ConnectionSettings postgres = target.withDatabase("postgres");
            try (Connection c = PgConnections.open(postgres)) {
                return postgres;
            } catch (ArcaException e) {
                if (e.code() != ErrorCode.PG_DATABASE_MISSING) {
                    throw e;
                }
            } catch (SQLException e) {
                return postgres;
            }
        }
        return target.withDatabase("template1");
    }

    /** A connection to the target's server through its {@code postgres} database, else {@code template1}. */
    static Connection maintenance(ConnectionSettings target) {
        try {
            return PgConnections.open(target.withDatabase("postgres"));
        } catch (ArcaException e) {
            if (e.code() == ErrorCode.PG_DATABASE_MISSING) {
                return PgConnections.open(target.withDatabase("template1"));
            }
            throw e;
        }
    }

    private static ArcaException failure(ConnectionSettings target, SQLException e) {
        return new ArcaException(ErrorCode.FAILURE, "cannot inspect '" + target.describe() + "': " + e.getMessage(),
                "check that the role may connect and read the catalog", e);
    }
}

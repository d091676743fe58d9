package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.postgres.manifest.PostgresSection.MigrationInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Reads the schema migration version from the tables that Flyway ({@code flyway_schema_history}),
 * Liquibase ({@code databasechangelog}) and Alembic ({@code alembic_version}) keep. Tables on the
 * search path win over tables in other schemas. A lock wait that runs out on one of them is thrown
 * as {@link LockWaits.TableLockTimeout}, naming the table.
 */
final class MigrationVersions {
    private MigrationVersions() {
    }

    static MigrationInfo read(Connection c) throws SQLException {
        String find = "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where c.relkind in ('r', 'p')"
                + " and c.relname in ('flyway_schema_history', 'databasechangelog', 'alembic_version')"
                + " and n.nspname not in ('pg_catalog', 'information_schema')"
                + " order by n.nspname = any(current_schemas(false)) desc, n.nspname, c.relname";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(find)) {
            while (rs.next()) {
                TableRef table = new TableRef(rs.getString(1), rs.getString(2));
                MigrationInfo info = readFrom(c, table);
                if (info != null) {
                    return info;
                }
            }
        }
        return null;
    }

    private static MigrationInfo readFrom(Connection c, TableRef t) throws SQLException {
        String tool;
        String sql;
        switch (t.name()) {
            case "flyway_schema_history" -> {
                tool = "flyway";
                sql = "select version from " + t.qualified()
                        + " where success and version is not null order by installed_rank desc limit 1";
            }
            case "databasechangelog" -> {
                tool = "liquibase";
                sql = "select id from " + t.qualified() + " order by orderexecuted desc limit 1";
            }
            default -> {
                tool = "alembic";
                sql = "select string_agg(version_num, ',' order by version_num) from " + t.qualified();
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (rs.next() && rs.getString(1) != null) {
                return new MigrationInfo(tool, rs.getString(1));
            }
        } catch (SQLException e) {
            // the session's lock_timeout ran out: say which table it waited for
            throw LockWaits.isLockTimeout(e) ? new LockWaits.TableLockTimeout(t, e) : e;
        }
        return null;
    }
}

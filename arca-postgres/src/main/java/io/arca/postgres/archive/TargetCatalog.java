package io.arca.postgres.archive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * What already exists in the database a table or schema restore writes into: {@link UseList}
 * asks it whether the other side of a foreign key, a view over a restored table, a function a
 * trigger calls or the schema of a restored table is there.
 */
@FunctionalInterface
public interface TargetCatalog {

    /** A target that holds nothing: a database the restore creates. */
    TargetCatalog EMPTY = entry -> false;

    /**
     * Whether the object {@code entry} creates exists in the target. Kinds it cannot look up
     * (operators, casts, extensions' members...) count as present, so they are never restored
     * by a table restore: restoring them is the whole restore's business.
     */
    boolean exists(TocEntry entry);

    /**
     * Looks objects up with {@code to_regclass}, {@code to_regprocedure}, {@code to_regtype}...
     * over {@code connection} (auto-commit), once per entry. A lookup that fails (a name the
     * function cannot parse) counts as present.
     */
    static TargetCatalog of(Connection connection) {
        Map<Integer, Boolean> known = new HashMap<>();
        return entry -> known.computeIfAbsent(entry.dumpId(), id -> lookUp(connection, entry));
    }

    private static boolean lookUp(Connection c, TocEntry e) {
        String ns = e.namespace() == null ? "" : e.namespace();
        String tag = e.tag() == null ? "" : e.tag();
        String sql;
        String[] params;
        switch (e.desc()) {
            case "TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "SEQUENCE" -> {
                sql = "select to_regclass(quote_ident(?) || '.' || quote_ident(?)) is not null";
                params = new String[] {ns, tag};
            }
            case "SCHEMA" -> {
                sql = "select exists (select 1 from pg_catalog.pg_namespace where nspname = ?)";
                params = new String[] {tag};
            }
            case "EXTENSION" -> {
                sql = "select exists (select 1 from pg_catalog.pg_extension where extname = ?)";
                params = new String[] {tag};
            }
            case "FUNCTION", "PROCEDURE", "AGGREGATE" -> {
                int paren = tag.indexOf('(');
                if (paren <= 0) {
                    return true;
                }
                sql = "select to_regprocedure(quote_ident(?) || '.' || quote_ident(?) || ?) is not null";
                params = new String[] {ns, tag.substring(0, paren), tag.substring(paren)};
            }
            case "TYPE", "DOMAIN" -> {
                sql = "select to_regtype(quote_ident(?) || '.' || quote_ident(?)) is not null";
                params = new String[] {ns, tag};
            }
            default -> {
                return true;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next() || rs.getBoolean(1);
            }
        } catch (SQLException ex) {
            return true;
        }
    }
}

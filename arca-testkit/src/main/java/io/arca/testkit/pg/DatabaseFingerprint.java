package io.arca.testkit.pg;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a database holds, in a form cheap to compare: a restored backup must have the same
 * fingerprint as its source.
 *
 * <ul>
 *   <li>{@code tables}: every ordinary table, partitions included ({@code relkind 'r'}, all
 *       schemas but {@code pg_catalog}, {@code information_schema} and {@code pg_toast*}), by
 *       {@code schema.table} quoted only where needed ({@code quote_ident}), with its row count
 *       and {@code md5(string_agg(t::text, E'\n' ORDER BY t::text COLLATE "C"))}. The {@code
 *       "C"} collation and fixed session settings ({@code TimeZone}, {@code DateStyle}, {@code
 *       IntervalStyle}, {@code extra_float_digits}, {@code bytea_output}) make the hash
 *       independent of the database's locale and the session;
 *   <li>{@code largeObjects} and {@code largeObjectsHash}: the number of large objects and an
 *       MD5 over each one's OID and content, in OID order;
 *   <li>{@code sequences}: each sequence's {@code last_value} and {@code is_called};
 *   <li>{@code views} (plain and materialized), {@code functions} ({@code
 *       schema.name(argument types)}), {@code triggers} ({@code schema.table.trigger}, user
 *       triggers only) and {@code indexes} ({@code schema.index}): names only.
 * </ul>
 *
 * <p>Immutable. Taking one reads every row, so keep test databases small.
 */
public record DatabaseFingerprint(SortedMap<String, TableFingerprint> tables, long largeObjects,
                                  String largeObjectsHash, SortedMap<String, SequenceValue> sequences,
                                  SortedSet<String> views, SortedSet<String> functions,
                                  SortedSet<String> triggers, SortedSet<String> indexes) {

    /** A sequence's state as {@code pg_dump} carries it over. */
    public record SequenceValue(long lastValue, boolean isCalled) {
        @Override
        public String toString() {
            return lastValue + (isCalled ? " (called)" : " (not called)");
        }
    }

    private static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
    private static final String QUALIFIED = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)";

    public DatabaseFingerprint {
        tables = Collections.unmodifiableSortedMap(new TreeMap<>(tables));
        sequences = Collections.unmodifiableSortedMap(new TreeMap<>(sequences));
        views = Collections.unmodifiableSortedSet(new TreeSet<>(views));
        functions = Collections.unmodifiableSortedSet(new TreeSet<>(functions));
        triggers = Collections.unmodifiableSortedSet(new TreeSet<>(triggers));
        indexes = Collections.unmodifiableSortedSet(new TreeSet<>(indexes));
    }

    /**
     * Fingerprints the connection's database. Runs in a read-only repeatable-read transaction so
     * that everything is seen at one instant; the connection's settings are restored afterwards.
     */
    public static DatabaseFingerprint of(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        boolean readOnly = connection.isReadOnly();
        int isolation = connection.getTransactionIsolation();
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
        try (Statement st = connection.createStatement()) {
            // SET LOCAL: the settings end with the transaction, leaving the session as it was.
            st.execute("SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD';"
                    + " SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 1;"
                    + " SET LOCAL bytea_output = 'hex'");
            SortedMap<String, TableFingerprint> tables = new TreeMap<>();
            for (String table : names(st, "SELECT " + QUALIFIED + " FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND " + USER_SCHEMA)) {
                try (ResultSet rs = st.executeQuery("SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n'"
                        + " ORDER BY t::text COLLATE \"C\")), md5('')) FROM " + table + " t")) {
                    rs.next();
                    tables.put(table, new TableFingerprint(rs.getLong(1), rs.getString(2)));
                }
            }
            long largeObjects;
            String largeObjectsHash;
            try (ResultSet rs = st.executeQuery("SELECT count(*), coalesce(md5(string_agg(oid::text || ':'"
                    + " || md5(lo_get(oid)), E'\\n' ORDER BY oid)), md5('')) FROM pg_largeobject_metadata")) {
                rs.next();
                largeObjects = rs.getLong(1);
                largeObjectsHash = rs.getString(2);
            }
            SortedMap<String, SequenceValue> sequences = new TreeMap<>();
            for (String sequence : names(st, "SELECT " + QUALIFIED + " FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND " + USER_SCHEMA)) {
                try (ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + sequence)) {
                    rs.next();
                    sequences.put(sequence, new SequenceValue(rs.getLong(1), rs.getBoolean(2)));
                }
            }
            SortedSet<String> views = names(st, "SELECT " + QUALIFIED + " FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND " + USER_SCHEMA);
            SortedSet<String> functions = names(st, "SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname)"
                    + " || '(' || pg_get_function_identity_arguments(p.oid) || ')' FROM pg_proc p"
                    + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE " + USER_SCHEMA);
            SortedSet<String> triggers = names(st, "SELECT " + QUALIFIED + " || '.' || quote_ident(t.tgname)"
                    + " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND " + USER_SCHEMA);
            SortedSet<String> indexes = names(st, "SELECT " + QUALIFIED + " FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('i', 'I') AND " + USER_SCHEMA);
            connection.commit();
            return new DatabaseFingerprint(tables, largeObjects, largeObjectsHash, sequences, views, functions,
                    triggers, indexes);
        } finally {
            connection.rollback();
            connection.setReadOnly(readOnly);
            connection.setTransactionIsolation(isolation);
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Only the tables named, for a partial restore ({@code --table}). */
    public DatabaseFingerprint onlyTables(Collection<String> names) {
        SortedMap<String, TableFingerprint> kept = new TreeMap<>(tables);
        kept.keySet().retainAll(names);
        return new DatabaseFingerprint(kept, largeObjects, largeObjectsHash, sequences, views, functions,
                triggers, indexes);
    }

    /**
     * The key {@link #tables()} uses for a table: {@code quote_ident(schema) || '.' || quote_ident(name)}
     * (names that are plain lower-case identifiers stay unquoted; keywords are not detected).
     */
    public static String qualify(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }

    private static String quote(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_$]*") ? identifier : '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** The table's fingerprint, or {@code null}. */
    public TableFingerprint table(String qualifiedName) {
        return tables.get(qualifiedName);
    }

    private static SortedSet<String> names(Statement st, String sql) throws SQLException {
        SortedSet<String> names = new TreeSet<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** For messages: the sizes, not the contents. */
    @Override
    public String toString() {
        return "DatabaseFingerprint[" + tables.size() + " tables, " + largeObjects + " large objects, "
                + sequences.size() + " sequences, " + views.size() + " views, " + functions.size() + " functions, "
                + triggers.size() + " triggers, " + indexes.size() + " indexes]";
    }
}

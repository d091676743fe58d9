package io.arca.testkit.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Fills a database with data that breaks naive backup tools: escapes and control characters
 * in text, zero bytes in {@code bytea}, {@code NaN} and infinities, JSON, multi-dimensional
 * arrays with {@code NULL}s, enums, a domain, a composite type, sequences (advanced, never
 * used, not called, descending), identity and generated columns, views, a materialized view,
 * SQL and PL/pgSQL functions, triggers, large objects (up to 2 MB), a partitioned table,
 * foreign keys, unique, partial, expression and GIN indexes, comments, non-ASCII and
 * mixed-case names ({@code "Ünïcødé"."Tåble ☃"}, {@code public."MixedCase"}), an empty table
 * and {@code NULL}s everywhere. The SQL is {@code sample-dataset.sql} next to this class.
 *
 * <p>Everything is deterministic: loading into two databases gives equal {@link
 * DatabaseFingerprint}s. Each method runs in one transaction and leaves the connection's
 * auto-commit setting as it found it.
 */
public final class SampleDataset {

    /** The schema most of the dataset lives in. */
    public static final String SCHEMA = "app";
    /** The table {@link #loadBulk} fills. */
    public static final String BULK_TABLE = "app.bulk";

    private static final String RESOURCE = "sample-dataset.sql";

    private SampleDataset() {
    }

    /** The dataset's SQL script. */
    public static String sql() {
        try (InputStream in = SampleDataset.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " missing next to " + SampleDataset.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates the dataset in the connection's database, which must not hold it yet. */
    public static void load(Connection connection) throws SQLException {
        inTransaction(connection, () -> {
            try (Statement st = connection.createStatement()) {
                st.execute(sql());
            }
        });
    }

    /**
     * Appends {@code rows} generated rows (about 200 bytes each, deterministic) to {@value
     * #BULK_TABLE}, creating it and schema {@value #SCHEMA} when missing.
     */
    public static void loadBulk(Connection connection, int rows) throws SQLException {
        inTransaction(connection, () -> {
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
                st.execute("CREATE TABLE IF NOT EXISTS " + BULK_TABLE + " ("
                        + "id bigint PRIMARY KEY, created_at timestamptz NOT NULL, amount numeric(14, 4),"
                        + " label text, payload jsonb, blob bytea)");
            }
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + BULK_TABLE
                    + " SELECT b + i, timestamptz '2026-01-01 00:00:00+00' + (b + i) * interval '1 second',"
                    + " ((b + i) * 7919 % 1000000) / 100.0, 'row ' || (b + i) || ' ' || md5((b + i)::text),"
                    + " jsonb_build_object('id', b + i, 'even', (b + i) % 2 = 0, 'tag', substr(md5((b + i)::text), 1, 8)),"
                    + " decode(md5((b + i)::text) || md5((b + i + 1)::text), 'hex')"
                    + " FROM (SELECT coalesce(max(id), 0) AS b FROM " + BULK_TABLE + ") m,"
                    + " generate_series(1, ?) AS i")) {
                ps.setInt(1, rows);
                ps.executeUpdate();
            }
        });
    }

    /**
     * Creates the bookkeeping table of a schema-migration tool in schema {@code public}, as the
     * tool itself would, with a short history whose latest applied migration is {@code version}.
     *
     * <ul>
     *   <li>{@code flyway}: {@code flyway_schema_history} with Flyway's columns; versioned
     *       migrations {@code 1} and {@code version} (by {@code installed_rank}), then a
     *       repeatable migration (version {@code NULL}), all successful;
     *   <li>{@code liquibase}: {@code databasechangelog} (and {@code databasechangeloglock}); the
     *       last row by {@code orderexecuted} has id {@code version};
     *   <li>{@code alembic}: {@code alembic_version(version_num)} holding {@code version}.
     * </ul>
     *
     * @throws IllegalArgumentException for another tool
     */
    public static void installMigrationTable(Connection connection, String tool, String version)
            throws SQLException {
        String sql = switch (tool.toLowerCase(Locale.ROOT)) {
            case "flyway" -> """
                    CREATE TABLE public.flyway_schema_history (
                        installed_rank integer NOT NULL,
                        version varchar(50),
                        description varchar(200) NOT NULL,
                        type varchar(20) NOT NULL,
                        script varchar(1000) NOT NULL,
                        checksum integer,
                        installed_by varchar(100) NOT NULL,
                        installed_on timestamp NOT NULL DEFAULT now(),
                        execution_time integer NOT NULL,
                        success boolean NOT NULL,
                        CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank)
                    );
                    CREATE INDEX flyway_schema_history_s_idx ON public.flyway_schema_history (success);
                    INSERT INTO public.flyway_schema_history VALUES
                        (1, '1', 'create tables', 'SQL', 'V1__create_tables.sql', 1843672411, 'app',
                            '2026-01-01 10:00:00', 42, true),
                        (2, ?, 'latest change', 'SQL', 'V' || replace(?, '.', '_') || '__latest_change.sql',
                            -1027399512, 'app', '2026-01-02 10:00:00', 17, true),
                        (3, NULL, 'views', 'SQL', 'R__views.sql', 99001, 'app', '2026-01-02 10:00:01', 3, true);
                    """;
            case "liquibase" -> """
                    CREATE TABLE public.databasechangeloglock (
                        id integer NOT NULL PRIMARY KEY,
                        locked boolean NOT NULL,
                        lockgranted timestamp,
                        lockedby varchar(255)
                    );
                    INSERT INTO public.databasechangeloglock VALUES (1, false, NULL, NULL);
                    CREATE TABLE public.databasechangelog (
                        id varchar(255) NOT NULL,
                        author varchar(255) NOT NULL,
                        filename varchar(255) NOT NULL,
                        dateexecuted timestamp NOT NULL,
                        orderexecuted integer NOT NULL,
                        exectype varchar(10) NOT NULL,
                        md5sum varchar(35),
                        description varchar(255),
                        comments varchar(255),
                        tag varchar(255),
                        liquibase varchar(20),
                        contexts varchar(255),
                        labels varchar(255),
                        deployment_id varchar(10)
                    );
                    INSERT INTO public.databasechangelog VALUES
                        ('create-tables', 'app', 'db/changelog.xml', '2026-01-01 10:00:00', 1, 'EXECUTED',
                            '9:0d1a5e3c1b2f4a6e8d7c9b0a1f2e3d4c', 'createTable tableName=customers', '', NULL,
                            '4.29.2', NULL, NULL, '6781234567'),
                        (?, 'app', 'db/changelog.xml', '2026-01-02 10:00:00', 2, 'EXECUTED',
                            '9:1e2b6f4d2c3a5b7f9e8d0c1b2a3f4e5d', 'addColumn tableName=customers', '', NULL,
                            '4.29.2', NULL, NULL, '6867890123');
                    """;
            case "alembic" -> """
                    CREATE TABLE public.alembic_version (
                        version_num varchar(32) NOT NULL,
                        CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
                    );
                    INSERT INTO public.alembic_version VALUES (?);
                    """;
            default -> throw new IllegalArgumentException(
                    "unknown migration tool '" + tool + "': use flyway, liquibase or alembic");
        };
        // The history insert is the last statement; it alone takes the version as parameters.
        int insertAt = sql.lastIndexOf("INSERT INTO");
        String ddl = sql.substring(0, insertAt);
        String insert = sql.substring(insertAt);
        inTransaction(connection, () -> {
            try (Statement st = connection.createStatement()) {
                st.execute(ddl);
            }
            try (PreparedStatement ps = connection.prepareStatement(insert)) {
                int parameters = (int) insert.chars().filter(c -> c == '?').count();
                for (int i = 1; i <= parameters; i++) {
                    ps.setString(i, version);
                }
                ps.executeUpdate();
            }
        });
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    private static void inTransaction(Connection connection, SqlWork work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}

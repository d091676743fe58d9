package io.arca.testkit.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SampleDatasetIT {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static String first;
    private static DatabaseFingerprint firstFingerprint;

    @BeforeAll
    static void loadOnce() throws SQLException {
        first = PG.createDatabase("sample");
        try (Connection c = PG.connect(first)) {
            SampleDataset.load(c);
            firstFingerprint = DatabaseFingerprint.of(c);
        }
    }

    @Test
    void fingerprintCoversEveryKindOfObject() {
        DatabaseFingerprint f = firstFingerprint;
        assertThat(f.tables()).containsKeys("app.customers", "app.orders", "app.order_lines", "app.texts",
                "app.binaries", "app.numbers", "app.documents", "app.events_2024", "app.events_2025",
                "app.events_2026", "app.events_other", "app.empty_table", "app.all_nulls",
                "\"Ünïcødé\".\"Tåble ☃\"", "public.\"MixedCase\"", "public.lowercase_plain");
        assertThat(f.tables()).doesNotContainKey("app.events"); // the partitioned parent holds no rows itself
        assertThat(f.table("app.customers").rows()).isEqualTo(202);
        assertThat(f.table("app.orders").rows()).isEqualTo(500);
        assertThat(f.table("app.audit_log").rows()).isEqualTo(510); // 500 inserts + 10 updates through the trigger
        assertThat(f.table("app.empty_table")).isEqualTo(new TableFingerprint(0, "d41d8cd98f00b204e9800998ecf8427e"));
        assertThat(f.largeObjects()).isEqualTo(5);
        assertThat(f.sequences()).containsEntry("app.invoice_no",
                new DatabaseFingerprint.SequenceValue(1000 + 499 * 7, true));
        assertThat(f.sequences()).containsEntry("app.not_called", new DatabaseFingerprint.SequenceValue(77, false));
        assertThat(f.sequences()).containsEntry("app.never_used", new DatabaseFingerprint.SequenceValue(1, false));
        assertThat(f.views()).contains("app.customer_orders", "app.order_totals", "\"Ünïcødé\".\"Vïew ☃\"");
        assertThat(f.functions()).contains("app.order_total(p_order bigint)", "app.audit()", "app.slugify(t text)");
        assertThat(f.triggers()).containsExactly("app.orders.orders_audit", "app.orders.orders_revision");
        assertThat(f.indexes()).contains("app.customers_email_key", "app.orders_open_idx", "app.documents_doc_gin",
                "app.order_totals_customer_idx");
    }

    @Test
    void sameDatabaseFingerprintsEqualAndOneUpdateChangesIt() throws SQLException {
        String db = PG.createDatabase("update");
        try (Connection c = PG.connect(db)) {
            SampleDataset.load(c);
            DatabaseFingerprint before = DatabaseFingerprint.of(c);
            assertThat(DatabaseFingerprint.of(c)).isEqualTo(before);
            // A second load elsewhere is identical: the dataset is deterministic.
            DatabaseAssertions.assertSameData(firstFingerprint, before);

            try (Statement st = c.createStatement()) {
                assertThat(st.executeUpdate("UPDATE app.texts SET body = body || 'x' WHERE id = 10")).isEqualTo(1);
            }
            DatabaseFingerprint after = DatabaseFingerprint.of(c);
            assertThat(after).isNotEqualTo(before);
            assertThat(DatabaseAssertions.differences(before, after)).singleElement().asString()
                    .startsWith("table app.texts: expected 13 rows, md5 " + before.table("app.texts").hash())
                    .contains("but was 13 rows, md5 " + after.table("app.texts").hash());
            assertThatThrownBy(() -> DatabaseAssertions.assertSameData(before, after))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("app.texts");
        }
    }

    @Test
    void reportsEveryKindOfDifference() throws SQLException {
        String db = PG.createDatabase("differ");
        try (Connection c = PG.connect(db)) {
            SampleDataset.load(c);
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE app.empty_table; CREATE TABLE app.extra (x int);"
                        + " SELECT nextval('app.never_used'); SELECT lo_unlink(424205);"
                        + " DROP TRIGGER orders_revision ON app.orders; DROP INDEX app.orders_open_idx");
            }
            assertThat(DatabaseAssertions.differences(firstFingerprint, DatabaseFingerprint.of(c))).containsExactly(
                    "table app.empty_table missing (expected 0 rows, md5 d41d8cd98f00b204e9800998ecf8427e)",
                    "table app.extra unexpected (0 rows, md5 d41d8cd98f00b204e9800998ecf8427e)",
                    "large objects: expected 5 (md5 " + firstFingerprint.largeObjectsHash() + ") but was 4 (md5 "
                            + DatabaseFingerprint.of(c).largeObjectsHash() + ")",
                    "sequence app.never_used: expected 1 (not called) but was 1 (called)",
                    "trigger app.orders.orders_revision missing",
                    "index app.empty_table_pkey missing",
                    "index app.orders_open_idx missing");
        }
    }

    @Test
    void trickyValuesSurviveAsWritten() throws SQLException {
        try (Connection c = PG.connect(first); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT body FROM app.texts WHERE id = 1),"
                     + " (SELECT length(body) FROM app.texts WHERE id = 10),"
                     + " (SELECT octet_length(data) FROM app.binaries WHERE id = 3),"
                     + " (SELECT n::text FROM app.numbers WHERE id = 1),"
                     + " (SELECT octet_length(lo_get(424203))),"
                     + " (SELECT count(*) FROM app.events_other)")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("tab\there");
            assertThat(rs.getInt(2)).isEqualTo(15 * 70000);
            assertThat(rs.getInt(3)).isEqualTo(4096);
            assertThat(rs.getString(4)).isEqualTo("NaN");
            assertThat(rs.getInt(5)).isEqualTo(2 * 1024 * 1024);
            assertThat(rs.getLong(6)).isPositive();
        }
    }

    @Test
    void bulkRowsAppend() throws SQLException {
        String db = PG.createDatabase("bulk");
        try (Connection c = PG.connect(db)) {
            SampleDataset.loadBulk(c, 5_000);
            SampleDataset.loadBulk(c, 1_000);
            DatabaseFingerprint f = DatabaseFingerprint.of(c);
            assertThat(f.table("app.bulk").rows()).isEqualTo(6_000);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT max(id) FROM app.bulk")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(6_000);
            }
        }
    }

    @Test
    void migrationTablesNameTheLatestVersion() throws SQLException {
        String db = PG.createDatabase("migrations");
        try (Connection c = PG.connect(db); Statement st = c.createStatement()) {
            SampleDataset.installMigrationTable(c, "flyway", "2.3");
            SampleDataset.installMigrationTable(c, "liquibase", "add-email-column");
            SampleDataset.installMigrationTable(c, "alembic", "ae1027a6acf");
            try (ResultSet rs = st.executeQuery("SELECT version, script FROM flyway_schema_history"
                    + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("2.3");
                assertThat(rs.getString(2)).isEqualTo("V2_3__latest_change.sql");
            }
            try (ResultSet rs = st.executeQuery("SELECT id FROM databasechangelog ORDER BY orderexecuted DESC LIMIT 1")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("add-email-column");
            }
            try (ResultSet rs = st.executeQuery("SELECT version_num FROM alembic_version")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ae1027a6acf");
            }
            assertThatThrownBy(() -> SampleDataset.installMigrationTable(c, "rails", "1"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rails");
        }
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.RepositoryJson;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore --globals} brings a backup's roles and tablespaces into another cluster: the
 * missing ones are created (with password, attributes, settings, memberships), existing ones are
 * kept, and with {@code --clean} brought to the backup's; the connecting role is never changed.
 */
class GlobalsRestoreIT {
    @RegisterExtension
    static final PostgresExtension SOURCE = new PostgresExtension();
    @RegisterExtension
    static final PostgresExtension TARGET = new PostgresExtension();

    static Path repo;
    static String id;
    static String plainId;
    static Path spaceDir;

    @BeforeAll
    static void backUp(@TempDir Path dir) throws Exception {
        spaceDir = ServerSide.tablespaceDirectory(SOURCE.cluster());
        String db = SOURCE.createDatabase("shop");
        SOURCE.cluster().execute("postgres",
                "create role app_owner login password 'owner-pw-1'",
                "create role readers nologin",
                "create role alice login connection limit 3 in role readers",
                "alter role alice set work_mem = '8MB'",
                "comment on role alice is 'from the backup'",
                "comment on role postgres is 'source admin'",
                "create tablespace archive_space owner app_owner location '" + spaceDir + "'");
        SOURCE.cluster().execute(db, "create table items (id int primary key, name text)",
                "insert into items select g, 'item ' || g from generate_series(1, 50) g",
                "alter table items owner to app_owner", "grant select on items to readers");
        repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        id = backup(db, "--globals");
        plainId = backup(db);
        // the directory is free again for the target cluster, which runs on the same host
        SOURCE.cluster().execute("postgres", "drop tablespace archive_space");

        TARGET.cluster().execute("postgres", "create role alice nologin", "comment on role postgres is 'target admin'");
    }

    private static String backup(String db, String... extra) throws Exception {
        String[] args = {"backup", "--repo", repo.toString(), "--db", ArcaRun.url(SOURCE.cluster(), db), "-o", "json"};
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(extra))
                .toArray(String[]::new);
        ArcaRun r = ArcaRun.of(all);
        assertThat(r.exit()).as(r.toString()).isZero();
        return RepositoryJson.mapper().readTree(r.out()).get("id").asText();
    }

    private static String query(String sql) throws Exception {
        try (Connection c = TARGET.connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String role(String name) throws Exception {
        return query("select rolcanlogin || ' ' || rolconnlimit || ' ' || coalesce(rolconfig::text, '-') || ' '"
                + " || coalesce(shobj_description(oid, 'pg_authid'), '-') || ' '"
                + " || (select coalesce(string_agg(g.rolname, ',' order by g.rolname), '-') from pg_auth_members m"
                + "     join pg_roles g on g.oid = m.roleid where m.member = r.oid)"
                + " from pg_roles r where rolname = '" + name + "'");
    }

    @Test
    void createsTheMissingRolesAndTablespacesKeepsExistingOnesAndCleanUpdatesThem() throws Exception {
        String postgresBefore = role("postgres");
        ArcaRun r = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", ArcaRun.url(TARGET.cluster(), "shop"),
                "--globals");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("roles created: app_owner, readers").contains("roles kept: alice, postgres")
                .contains("tablespaces created: archive_space");

        assertThat(role("app_owner")).isEqualTo("true -1 - - -");
        assertThat(role("readers")).isEqualTo("false -1 - - -");
        // existing: as it was
        assertThat(role("alice")).isEqualTo("false -1 - - -");
        assertThat(role("postgres")).isEqualTo(postgresBefore).contains("target admin");
        assertThat(query("select pg_catalog.pg_tablespace_location(oid) from pg_tablespace where spcname = 'archive_space'"))
                .isEqualTo(spaceDir.toString());
        // the database's objects got their owner and grants
        try (Connection c = TARGET.connect("shop"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select tableowner || ' ' || has_table_privilege('readers', 'items', 'select')"
                        + " || ' ' || (select count(*) from items) from pg_tables where tablename = 'items'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("app_owner true 50");
        }
        // the password came along: the new role logs in with it
        ConnectionSettings owner = ConnectionSettings.parse("postgresql://app_owner@127.0.0.1:" + TARGET.cluster().port()
                + "/shop", Map.of("PGPASSWORD", "owner-pw-1"));
        try (Connection c = PgConnections.open(owner); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("app_owner");
        }

        ArcaRun clean = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to",
                ArcaRun.url(TARGET.cluster(), "shop_again"), "--globals", "--clean", "-o", "json");
        assertThat(clean.exit()).as(clean.toString()).isZero();
        com.fasterxml.jackson.databind.JsonNode globals = RepositoryJson.mapper().readTree(clean.out()).get("globals");
        assertThat(globals.get("rolesUpdated").toString()).isEqualTo("[\"alice\",\"app_owner\",\"readers\"]");
        assertThat(globals.get("rolesKept").toString()).isEqualTo("[\"postgres\"]");
        assertThat(globals.get("tablespacesUpdated").toString()).isEqualTo("[\"archive_space\"]");
        assertThat(role("alice")).isEqualTo("true 3 {work_mem=8MB} from the backup readers");
        assertThat(role("postgres")).isEqualTo(postgresBefore);
    }

    @Test
    void aBackupWithoutGlobalsIsAUsageError(@TempDir Path dir) throws Exception {
        ArcaRun r = ArcaRun.of("restore", "--repo", repo.toString(), plainId, "--to",
                ArcaRun.url(TARGET.cluster(), "shop_plain"), "--globals");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("holds no roles and tablespaces");
        assertThat(query("select count(*) from pg_database where datname = 'shop_plain'")).isEqualTo("0");

        ArcaRun physical = ArcaRun.of("restore", "--repo", repo.toString(), "latest", "--physical", "--pgdata",
                dir.resolve("pgdata").toString(), "--globals");
        assertThat(physical.exit()).as(physical.toString()).isEqualTo(2);
        assertThat(physical.err()).contains("--globals is for logical backups");
    }
}

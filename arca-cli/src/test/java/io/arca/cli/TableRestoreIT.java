package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code restore --table} and {@code --schema} bring tables back whole: primary key, unique
 * constraint, foreign keys to and from other tables, column defaults, the serial sequence with
 * its value, trigger, index, comment, grant, and the view over the table; with {@code --clean}
 * in one transaction, so that a failure leaves the live table as it was; and a name the backup
 * does not hold is an error that names close matches and changes nothing.
 */
class TableRestoreIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    /** Constraints, indexes, triggers, defaults, the sequence and its value, view, comment and grant of users. */
    private static final String USERS_SHAPE = """
            select string_agg(x, E'\\n' order by x) from (
              select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) x
                from pg_constraint where conrelid = 'public.users'::regclass or confrelid = 'public.users'::regclass
              union all select 'index ' || indexdef from pg_indexes where schemaname = 'public' and tablename = 'users'
              union all select 'trigger ' || pg_get_triggerdef(oid) from pg_trigger
                where tgrelid = 'public.users'::regclass and not tgisinternal
              union all select 'default ' || a.attname || ' ' || pg_get_expr(d.adbin, d.adrelid) from pg_attrdef d
                join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum where d.adrelid = 'public.users'::regclass
              union all select 'sequence ' || pg_get_serial_sequence('public.users', 'id') || ' '
                || (select last_value || ' ' || is_called from public.users_id_seq)
              union all select 'view ' || definition from pg_views where viewname = 'active_users'
              union all select 'comment ' || obj_description('public.users'::regclass, 'pg_class')
              union all select 'acl ' || relacl::text from pg_class where oid = 'public.users'::regclass
            ) s""";
    private static final String USERS_DATA = "select count(*) || ' ' || md5(string_agg(u::text, '|' order by id))"
            + " from public.users u";
    private static final String BILLING_SHAPE = """
            select string_agg(x, E'\\n' order by x) from (
              select 'constraint ' || c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) x
                from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = 'billing'
              union all select 'index ' || indexdef from pg_indexes where schemaname = 'billing'
              union all select 'sequence ' || last_value from billing.invoices_id_seq
              union all select 'data ' || count(*) || ' ' || md5(string_agg(i::text, '|' order by id)) from billing.invoices i
            ) s""";

    static String source;
    static String expectedShape;
    static String expectedData;
    static String expectedBilling;

    @BeforeAll
    static void load() throws Exception {
        long seed = System.nanoTime();
        System.out.println("TableRestoreIT seed " + seed);
        Random random = new Random(seed);
        source = PG.createDatabase("tables");
        try (Connection c = PG.connect(source); Statement st = c.createStatement()) {
            st.execute("""
                    create table accounts (id int primary key, name text not null);
                    create table users (id serial primary key, email text not null unique,
                      account_id int references accounts (id), status text not null default 'active',
                      updated timestamptz);
                    create index users_status on users (status);
                    create function touch() returns trigger language plpgsql as
                      $$begin new.updated := '2026-01-01'; return new; end$$;
                    create trigger users_touch before update on users for each row execute function touch();
                    comment on table users is 'who logs in';
                    grant select on users to public;
                    create view active_users as select id, email from users where status = 'active';
                    create table orders (id bigserial primary key, user_id int not null references users (id),
                      amount numeric not null);
                    create schema billing;
                    create table billing.invoices (id serial primary key, user_id int references public.users (id),
                      total numeric not null);
                    create index invoices_user on billing.invoices (user_id);
                    insert into accounts select g, 'account ' || g from generate_series(1, 20) g;
                    """);
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into users (email, account_id, status) values (?, ?, ?)")) {
                for (int i = 0; i < 500; i++) {
                    ps.setString(1, "user" + i + "-" + random.nextInt(1_000_000) + "@example.com");
                    ps.setInt(2, 1 + random.nextInt(20));
                    ps.setString(3, random.nextInt(4) == 0 ? "gone" : "active");
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            // gaps: the sequence is ahead of max(id)
            st.execute("delete from users where id % 7 = 0; select nextval('users_id_seq') from generate_series(1, 9)");
            st.execute("insert into orders (user_id, amount) select id, id * 1.5 from users where id % 3 = 0");
            st.execute("insert into billing.invoices (user_id, total) select id, id from users where id % 5 = 1");
            expectedShape = query(c, USERS_SHAPE);
            expectedData = query(c, USERS_DATA);
            expectedBilling = query(c, BILLING_SHAPE);
        }
        assertThat(expectedShape).contains("PRIMARY KEY", "UNIQUE (email)", "FOREIGN KEY (account_id)",
                "orders_user_id_fkey", "invoices_user_id_fkey", "users_touch", "users_status", "'active'::text",
                "nextval('users_id_seq'::regclass)", "view ", "comment who logs in", "acl ");
    }

    private static String query(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String query(String db, String sql) throws Exception {
        try (Connection c = PG.connect(db)) {
            return query(c, sql);
        }
    }

    private static String backup(Path repo, String... extra) throws Exception {
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        List<String> args = new ArrayList<>(List.of("backup", "--repo", repo.toString(), "--db",
                ArcaRun.url(PG.cluster(), source), "-o", "json"));
        args.addAll(List.of(extra));
        ArcaRun r = ArcaRun.of(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return RepositoryJson.mapper().readTree(r.out()).get("id").asText();
    }

    private static ArcaRun restore(Path repo, String id, String target, String... extra) {
        List<String> args = new ArrayList<>(List.of("restore", "--repo", repo.toString(), id, "--to",
                ArcaRun.url(PG.cluster(), target)));
        args.addAll(List.of(extra));
        return ArcaRun.of(args.toArray(String[]::new));
    }

    /** A target restored whole from the backup, then changed: users and its neighbours differ from the backup. */
    private static String damagedCopy(Path repo, String id, String name) throws Exception {
        ArcaRun whole = restore(repo, id, name);
        assertThat(whole.exit()).as(whole.toString()).isZero();
        PG.cluster().execute(name,
                "delete from orders where user_id > 300",
                "delete from billing.invoices where user_id > 300",
                "delete from users where id > 300",
                "update users set email = 'changed-' || email where id % 2 = 0",
                "select nextval('users_id_seq') from generate_series(1, 1000)",
                "drop trigger users_touch on users",
                "drop index users_status",
                "comment on table users is 'changed'");
        assertThat(query(name, USERS_DATA)).isNotEqualTo(expectedData);
        assertThat(query(name, USERS_SHAPE)).isNotEqualTo(expectedShape);
        return name;
    }

    @ParameterizedTest(name = "{0} format, --jobs {1}")
    @CsvSource({"custom, 1", "custom, 2", "directory, 2"})
    void cleanTableRestoreBringsBackKeysDefaultsSequenceTriggerAndData(String format, int jobs, @TempDir Path dir)
            throws Exception {
        String id = backup(dir, "--format", format);
        String target = damagedCopy(dir, id, "tables_clean_" + format + "_" + jobs);

        ArcaRun r = restore(dir, id, target, "--table", "users", "--clean", "--jobs", String.valueOf(jobs), "--verbose");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("restoring public.users and ").contains("in one transaction");
        if (jobs > 1) {
            assertThat(r.err()).contains("--jobs " + jobs + " ignored");
        }
        assertThat(query(target, USERS_SHAPE)).isEqualTo(expectedShape);
        assertThat(query(target, USERS_DATA)).isEqualTo(expectedData);
        // the other tables are the target's, their keys back in place
        assertThat(query(target, "select count(*) from orders where user_id > 300")).isEqualTo("0");
        // the sequence goes on from the backup's value
        PG.cluster().execute(target, "insert into users (email) values ('new@example.com')");
        assertThat(query(target, "select max(id) > (select max(id) from users where email <> 'new@example.com')"
                + " from users")).isEqualTo("t");
    }

    @Test
    void aTableIntoANewDatabaseComesWithItsKeysInParallel(@TempDir Path dir) throws Exception {
        String id = backup(dir);
        String target = "tables_new_parallel";
        ArcaRun r = restore(dir, id, target, "--table", "public.users", "--jobs", "2");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(query(target, USERS_DATA)).isEqualTo(expectedData);
        String shape = query(target, USERS_SHAPE);
        // no accounts, orders, invoices or view in the new database: only the keys whose both sides are there
        assertThat(shape).contains("users_pkey PRIMARY KEY", "UNIQUE (email)", "users_touch", "users_status",
                "nextval('users_id_seq'::regclass)", "comment who logs in")
                .doesNotContain("FOREIGN KEY", "view ");
        assertThat(query(target, "select count(*) from pg_tables where schemaname = 'public'")).isEqualTo("1");
    }

    @Test
    void aNameNotInTheBackupFailsWithCloseMatchesAndChangesNothing(@TempDir Path dir) throws Exception {
        String id = backup(dir);
        String target = damagedCopy(dir, id, "tables_unknown");
        String shape = query(target, USERS_SHAPE);
        String data = query(target, USERS_DATA);
        int backups = RepositoryJson.mapper().readTree(ArcaRun.of("list", "--repo", dir.toString(), "-o", "json").out())
                .size();

        ArcaRun none = restore(dir, id, target, "--table", "nosuchtable", "--clean");
        assertThat(none.exit()).as(none.toString()).isEqualTo(2);
        assertThat(none.err()).contains("backup '" + id + "': the backup holds no table 'nosuchtable'")
                .doesNotContain("restored");
        assertThat(none.out()).doesNotContain("restored");

        ArcaRun typo = restore(dir, id, target, "--table", "user", "--clean");
        assertThat(typo.exit()).as(typo.toString()).isEqualTo(2);
        assertThat(typo.err()).contains("no table 'user'").contains("close matches in the backup: public.users");

        ArcaRun schema = restore(dir, id, target, "--schema", "biling", "--clean");
        assertThat(schema.exit()).as(schema.toString()).isEqualTo(2);
        assertThat(schema.err()).contains("no schema 'biling'").contains("billing");

        assertThat(query(target, USERS_SHAPE)).isEqualTo(shape);
        assertThat(query(target, USERS_DATA)).isEqualTo(data);
        // no safety backup was taken either: the names were checked first
        assertThat(RepositoryJson.mapper().readTree(ArcaRun.of("list", "--repo", dir.toString(), "-o", "json").out()))
                .hasSize(backups);
    }

    @Test
    void aFailureMidTableRestoreLeavesTheLiveTableIntact(@TempDir Path dir) throws Exception {
        String id = backup(dir);
        String target = damagedCopy(dir, id, "tables_forced");
        // nothing depends on users any more, so its drop succeeds; then the restore fails at its
        // first CREATE INDEX, after the table was re-created and loaded
        PG.cluster().execute(target, "drop view active_users",
                "alter table orders drop constraint orders_user_id_fkey",
                "alter table billing.invoices drop constraint invoices_user_id_fkey",
                """
                create function refuse_indexes() returns event_trigger language plpgsql as $$
                begin
                  if exists (select 1 from pg_event_trigger_ddl_commands() where command_tag = 'CREATE INDEX') then
                    raise exception 'forced failure: no new indexes today';
                  end if;
                end $$""",
                "create event trigger refuse_indexes on ddl_command_end execute function refuse_indexes()");
        String shape = query(target, USERS_SHAPE);
        String data = query(target, USERS_DATA);

        ArcaRun r = restore(dir, id, target, "--table", "users", "--clean", "--no-safety-backup");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("forced failure").contains("rolled back");
        assertThat(query(target, USERS_SHAPE)).isEqualTo(shape);
        assertThat(query(target, USERS_DATA)).isEqualTo(data);
        assertThat(query(target, "select count(*) from pg_constraint where conname = 'users_pkey'")).isEqualTo("1");
    }

    @Test
    void aForeignKeyTheRestoredRowsBreakRollsTheTableRestoreBack(@TempDir Path dir) throws Exception {
        String id = backup(dir);
        String target = damagedCopy(dir, id, "tables_failing");
        // an order of a user that the backup does not hold: re-creating orders' foreign key to the
        // restored users fails, after users was dropped and loaded again
        PG.cluster().execute(target, "alter table orders drop constraint orders_user_id_fkey",
                "insert into users (id, email) values (100000, 'only-in-target@example.com')",
                "insert into orders (user_id, amount) values (100000, 1)",
                "alter table orders add constraint orders_user_id_fkey foreign key (user_id) references users (id)");
        String shape = query(target, USERS_SHAPE);
        String data = query(target, USERS_DATA);

        ArcaRun r = restore(dir, id, target, "--table", "users", "--clean", "--no-safety-backup");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("orders_user_id_fkey").contains("rolled back");
        assertThat(r.out()).doesNotContain("restored");
        assertThat(query(target, USERS_SHAPE)).isEqualTo(shape);
        assertThat(query(target, USERS_DATA)).isEqualTo(data);
        assertThat(query(target, "select count(*) from users where id = 100000")).isEqualTo("1");
    }

    @Test
    void dependentsTheBackupDoesNotHoldAreNamedBeforeAnythingChanges(@TempDir Path dir) throws Exception {
        String id = backup(dir);
        String target = damagedCopy(dir, id, "tables_blocked");
        PG.cluster().execute(target, "create table sessions (user_id int references users (id))",
                "insert into sessions select id from users where id < 10",
                "create view recent_users as select id from users where id > 100");
        String shape = query(target, USERS_SHAPE);
        String data = query(target, USERS_DATA);
        int backups = RepositoryJson.mapper().readTree(ArcaRun.of("list", "--repo", dir.toString(), "-o", "json").out())
                .size();

        ArcaRun r = restore(dir, id, target, "--table", "users", "--clean");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("foreign key sessions_user_id_fkey of sessions (on public.users)")
                .contains("view recent_users (on public.users)").contains("not in the backup");
        assertThat(query(target, USERS_SHAPE)).isEqualTo(shape);
        assertThat(query(target, USERS_DATA)).isEqualTo(data);
        assertThat(RepositoryJson.mapper().readTree(ArcaRun.of("list", "--repo", dir.toString(), "-o", "json").out()))
                .hasSize(backups);
    }

    @Test
    void cleanSchemaRestoreBringsBackItsTablesAndTheirForeignKeys(@TempDir Path dir) throws Exception {
        String id = backup(dir);
        String target = "tables_schema";
        ArcaRun whole = restore(dir, id, target);
        assertThat(whole.exit()).as(whole.toString()).isZero();
        PG.cluster().execute(target, "update users set email = 'changed-' || email where id % 2 = 0",
                "truncate billing.invoices", "drop index billing.invoices_user",
                "select nextval('billing.invoices_id_seq') from generate_series(1, 50)");
        assertThat(query(target, BILLING_SHAPE)).isNotEqualTo(expectedBilling);

        ArcaRun r = restore(dir, id, target, "--schema", "billing", "--clean", "--no-safety-backup");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(query(target, BILLING_SHAPE)).isEqualTo(expectedBilling);
        assertThat(query(target, BILLING_SHAPE)).contains("invoices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id)");
        // public.users is the target's own, untouched
        assertThat(query(target, "select count(*) from users where email like 'changed-%'")).isNotEqualTo("0");
    }
}

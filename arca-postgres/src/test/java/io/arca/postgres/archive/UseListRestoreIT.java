package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ArchiveRestore} restores a table with its use-list on each of its paths: in parallel
 * phases (pre-data, data workers, post-data, each with the list), from a seekable source in one
 * transaction, and from one stream. The database is {@code tables.sql}, the one {@link
 * UseListTest} reads the TOC of.
 */
class UseListRestoreIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final String SHAPE = """
            select string_agg(x, E'\\n' order by x) from (
              select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) x
                from pg_constraint where conrelid = 'public.users'::regclass or confrelid = 'public.users'::regclass
              union all select 'index ' || indexdef from pg_indexes where schemaname = 'public' and tablename = 'users'
              union all select 'trigger ' || pg_get_triggerdef(oid) from pg_trigger
                where tgrelid = 'public.users'::regclass and not tgisinternal
              union all select 'default ' || pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 'public.users'::regclass
              union all select 'sequence ' || last_value from public.users_id_seq
              union all select 'data ' || count(*) || ' ' || md5(string_agg(u::text, '|' order by id)) from public.users u
            ) s""";

    private static Path dir;
    private static Path dumpFile;
    private static FileArchiveSource archive;
    private static String expected;

    @BeforeAll
    static void dumpSource() throws Exception {
        String source = PG.createDatabase("uselist");
        String sql;
        try (InputStream in = UseListRestoreIT.class.getResourceAsStream("tables.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = PG.connect(source); Statement st = c.createStatement()) {
            st.execute(sql);
        }
        expected = shape(source);
        dir = Files.createTempDirectory("arca-uselist-it-");
        dumpFile = dir.resolve("source.dump");
        PgDumps.customThroughPipe(PG.settings(source), dumpFile);
        archive = FileArchiveSource.open(dumpFile);
    }

    @AfterAll
    static void removeDump() throws IOException {
        Files.deleteIfExists(dumpFile);
        Files.deleteIfExists(dir);
    }

    private static String shape(String db) throws Exception {
        try (Connection c = PG.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SHAPE)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static ArchiveRestore restore(String target) {
        return new ArchiveRestore(new PgRestoreCommand(PgDumps.program("pg_restore"), PG.settings(target)));
    }

    @Test
    void parallelPhasesRestoreTheTableWithItsKeysIntoANewDatabase() throws Exception {
        String target = PG.createDatabase("phased");
        ArchiveRestore.RestoreReport report = restore(target).restore(archive,
                RestoreOptions.defaults().withJobs(2).withTables(List.of("public.users")));
        assertThat(report.dataWorkers()).isEqualTo(1);
        String shape = shape(target);
        assertThat(shape).contains("users_pkey PRIMARY KEY (id)", "users_email_key UNIQUE (email)", "users_touch",
                "users_created", "nextval('users_id_seq'::regclass)")
                .doesNotContain("FOREIGN KEY");
        assertThat(shape.substring(shape.indexOf("data "))).isEqualTo(expected.substring(expected.indexOf("data ")));
    }

    @Test
    void cleanTableRestoreFromASourceAndFromAStreamGivesTheSourceTable() throws Exception {
        String target = PG.createDatabase("clean");
        restore(target).restore(archive, RestoreOptions.defaults().withJobs(2));
        assertThat(shape(target)).isEqualTo(expected);
        RestoreOptions clean = RestoreOptions.defaults().withJobs(2).withClean(true).withTables(List.of("public.users"));

        damage(target);
        restore(target).restore(archive, clean);
        assertThat(shape(target)).isEqualTo(expected);

        damage(target);
        try (InputStream in = Files.newInputStream(dumpFile)) {
            restore(target).restoreSerial(in, clean);
        }
        assertThat(shape(target)).isEqualTo(expected);
    }

    private static void damage(String target) throws Exception {
        PG.cluster().execute(target, "delete from orders", "delete from users_audit", "delete from events",
                "delete from users where id > 50", "drop trigger users_touch on users", "drop index users_created",
                "alter table users drop constraint users_email_key");
        assertThat(shape(target)).isNotEqualTo(expected);
    }
}

package io.arca.postgres.logical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.local.PgBinaries;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LogicalRestore} replacing a database with {@code clean}: by a rename swap that keeps the
 * target's owner, settings, ACL and comment; failing with the list of other sessions, or ending
 * them on request; removing what an interrupted swap left; in place when asked.
 */
class DatabaseSwapIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    static Path repoDir;
    static Repository repo;

    @BeforeAll
    static void roles() throws Exception {
        PG.cluster().execute("postgres", "create role swap_owner nologin", "create role swap_reader nologin");
        repo = Repository.init(new LocalFileStorage(repoDir), new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
    }

    /** A database owned by swap_owner with settings, an ACL, a comment and 500 orders; backed up. */
    static BackupManifest shop(String db) {
        PG.cluster().execute("postgres",
                "alter database " + db + " owner to swap_owner",
                "alter database " + db + " set work_mem = '8MB'",
                "alter database " + db + " set search_path = app, public",
                "alter role swap_reader in database " + db + " set statement_timeout = '5s'",
                "revoke all on database " + db + " from public",
                "grant connect on database " + db + " to swap_reader",
                "comment on database " + db + " is 'the shop'");
        PG.cluster().execute(db, "create table orders(id int primary key, note text)",
                "insert into orders select g, md5(g::text) from generate_series(1, 500) g");
        return new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE)
                .run(PG.settings(db), LogicalBackupOptions.defaults(CodecSpec.defaults()));
    }

    static LogicalRestore restore(List<String> notes) {
        return new LogicalRestore(repo, PgBinaries.discover(List.of()), new Progress() {
            @Override
            public void bytes(String phase, long done, long total) {
            }

            @Override
            public void note(String message) {
                notes.add(message);
            }
        });
    }

    static LogicalRestoreOptions clean(ReplaceOptions replace) {
        return LogicalRestoreOptions.defaults().withClean(true).withReplace(replace);
    }

    static List<String> column(String db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = PG.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static String attributes(String db) throws SQLException {
        return String.join("|", column("postgres", "select pg_get_userbyid(datdba) || ' ' || datacl::text || ' '"
                + " || pg_encoding_to_char(encoding) || ' ' || datcollate || ' ' || datctype || ' '"
                + " || shobj_description(oid, 'pg_database') from pg_database where datname = '" + db + "'"))
                + "|" + String.join(",", column("postgres", "select coalesce(r.rolname, '-') || ':' || s.setconfig::text"
                + " from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase left join pg_roles r"
                + " on r.oid = s.setrole where d.datname = '" + db + "' order by 1"));
    }

    static List<String> leftovers(String db) throws SQLException {
        return column("postgres", "select datname from pg_database where datname like '" + db + "\\_arca\\_%'");
    }

    @Test
    void swapReplacesTheDatabaseAndKeepsItsAttributes() throws Exception {
        String db = PG.createDatabase("swap");
        BackupManifest backup = shop(db);
        String before = attributes(db);
        PG.cluster().execute(db, "delete from orders where id > 100", "create table scratch(x int)");
        String oid = column("postgres", "select oid from pg_database where datname = '" + db + "'").get(0);

        List<String> notes = new ArrayList<>();
        RestoreResult r = restore(notes).run(backup, PG.settings(db), clean(ReplaceOptions.defaults()));

        assertThat(r.mode()).isEqualTo(RestoreResult.Mode.SWAPPED);
        assertThat(r.safetyBackup()).isNotNull();
        assertThat(column(db, "select count(*) from orders")).containsExactly("500");
        // a whole-database replace: what the backup does not hold is gone (it is in the safety backup)
        assertThat(column(db, "select count(*) from pg_tables where tablename = 'scratch'")).containsExactly("0");
        assertThat(column("postgres", "select oid from pg_database where datname = '" + db + "'")).doesNotContain(oid);
        assertThat(attributes(db)).isEqualTo(before).contains("swap_owner", "swap_reader=c/", "the shop",
                "work_mem=8MB", "search_path=app, public", "statement_timeout=5s");
        assertThat(leftovers(db)).isEmpty();
        assertThat(notes).anyMatch(n -> n.contains("checking backup '" + backup.backupId() + "' whole"));
    }

    @Test
    void otherSessionsFailTheSwapUnlessTerminated() throws Exception {
        String db = PG.createDatabase("sessions");
        BackupManifest backup = shop(db);
        PG.cluster().execute(db, "delete from orders where id > 100");
        try (Connection other = PG.connect(db)) {
            int pid;
            try (Statement st = other.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            assertThatThrownBy(() -> restore(new ArrayList<>()).run(backup, PG.settings(db), clean(ReplaceOptions.defaults())))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
                        assertThat(e.getMessage()).contains("database '" + db + "' has 1 other session: pid " + pid
                                + " (user postgres").contains("nothing was changed");
                        assertThat(e.hint()).contains("--terminate-connections");
                    });
            assertThat(column(db, "select count(*) from orders")).containsExactly("100");
            assertThat(leftovers(db)).isEmpty();

            RestoreResult r = restore(new ArrayList<>()).run(backup, PG.settings(db),
                    clean(new ReplaceOptions(false, true, Duration.ofSeconds(5), null)));
            assertThat(r.mode()).isEqualTo(RestoreResult.Mode.SWAPPED);
            assertThat(other.isValid(2)).isFalse();
        }
        assertThat(column(db, "select count(*) from orders")).containsExactly("500");
        assertThat(leftovers(db)).isEmpty();
    }

    @Test
    void whatAnInterruptedSwapLeftIsRemovedByTheNextRestore() throws Exception {
        String db = PG.createDatabase("leftover");
        BackupManifest backup = shop(db);
        // as a kill between "stop connections" and the renames leaves it
        PG.cluster().execute("postgres", "create database " + db + "_arca_0badcafe",
                "create database " + db + "_arca_old_0badcafe", "alter database " + db + " allow_connections false");
        List<String> notes = new ArrayList<>();
        restore(notes).run(backup, PG.settings(db), clean(ReplaceOptions.defaults()));
        assertThat(leftovers(db)).isEmpty();
        assertThat(column("postgres", "select datallowconn from pg_database where datname = '" + db + "'"))
                .containsExactly("t");
        assertThat(notes).anyMatch(n -> n.contains("dropped database '" + db + "_arca_0badcafe'"))
                .anyMatch(n -> n.contains("accepts connections again"));
    }

    @Test
    void inPlaceWithOneJobIsOneTransaction() throws Exception {
        String db = PG.createDatabase("inplace");
        BackupManifest backup = shop(db);
        PG.cluster().execute(db, "delete from orders where id > 100", "create table kept(x int)");
        String oid = column("postgres", "select oid from pg_database where datname = '" + db + "'").get(0);
        RestoreResult r = restore(new ArrayList<>()).run(backup, PG.settings(db),
                clean(new ReplaceOptions(true, false, Duration.ofSeconds(5), null)));
        assertThat(r.mode()).isEqualTo(RestoreResult.Mode.IN_PLACE_TRANSACTION);
        assertThat(column(db, "select count(*) from orders")).containsExactly("500");
        assertThat(column(db, "select count(*) from pg_tables where tablename = 'kept'")).containsExactly("1");
        assertThat(column("postgres", "select oid from pg_database where datname = '" + db + "'")).containsExactly(oid);

        // a view outside the backup that depends on orders makes the drop fail: rolled back, all rows still there
        PG.cluster().execute(db, "delete from orders where id > 200", "create view v as select * from orders");
        assertThatThrownBy(() -> restore(new ArrayList<>()).run(backup, PG.settings(db),
                clean(new ReplaceOptions(true, false, Duration.ofSeconds(5), null))))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.getMessage())
                        .contains("the transaction was rolled back: database '" + db + "' is as before")
                        .contains("safety backup").contains("--clean --in-place"));
        assertThat(column(db, "select count(*) from orders")).containsExactly("200");
    }

    @Test
    void aPlainScriptReplacesByASwapAndInPlaceInOneTransaction() throws Exception {
        String db = PG.createDatabase("plain");
        PG.cluster().execute(db, "create table orders(id int primary key, note text)",
                "insert into orders select g, md5(g::text) from generate_series(1, 300) g");
        LogicalBackupOptions o = LogicalBackupOptions.defaults(CodecSpec.defaults());
        o = new LogicalBackupOptions(DumpFormat.PLAIN, o.jobs(), o.globals(), o.tables(), o.excludeTables(), o.schemas(),
                o.countRows(), o.codec(), o.labels(), o.stagingDirectory());
        BackupManifest backup = new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE)
                .run(PG.settings(db), o);
        PG.cluster().execute(db, "delete from orders where id > 10");
        assertThat(restore(new ArrayList<>()).run(backup, PG.settings(db), clean(ReplaceOptions.defaults())).mode())
                .isEqualTo(RestoreResult.Mode.SWAPPED);
        assertThat(column(db, "select count(*) from orders")).containsExactly("300");

        PG.cluster().execute(db, "delete from orders where id > 20");
        ReplaceOptions inPlace = new ReplaceOptions(true, false, Duration.ofSeconds(5), null);
        assertThat(restore(new ArrayList<>()).run(backup, PG.settings(db), clean(inPlace)).mode())
                .isEqualTo(RestoreResult.Mode.IN_PLACE_TRANSACTION);
        assertThat(column(db, "select count(*) from orders")).containsExactly("300");

        PG.cluster().execute(db, "delete from orders where id > 30", "create view v as select * from orders");
        assertThatThrownBy(() -> restore(new ArrayList<>()).run(backup, PG.settings(db), clean(inPlace)))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.getMessage())
                        .contains("psql").contains("is as before"));
        assertThat(column(db, "select count(*) from orders")).containsExactly("30");
    }

    @Test
    void aLockWaitIsBoundedAndNamesTheHolderOrEndsItOnRequest() throws Exception {
        String db = PG.createDatabase("lockwait");
        BackupManifest backup = shop(db);
        PG.cluster().execute(db, "delete from orders where id > 50");
        try (Connection holder = PG.connect(db)) {
            int pid;
            try (Statement st = holder.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("lock table orders in access exclusive mode");
            }
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> restore(new ArrayList<>()).run(backup, PG.settings(db),
                    clean(new ReplaceOptions(true, false, Duration.ofMillis(1500), null))))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.getMessage()).startsWith("the restore waited more than 1500ms for a lock held by pid "
                                + pid + " (user postgres").contains("lock table orders");
                        assertThat(e.hint()).contains("--lock-timeout");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));

            RestoreResult r = restore(new ArrayList<>()).run(backup, PG.settings(db),
                    clean(new ReplaceOptions(true, true, Duration.ofMillis(1500), null)));
            assertThat(r.mode()).isEqualTo(RestoreResult.Mode.IN_PLACE_TRANSACTION);
            assertThat(holder.isValid(2)).isFalse();
        }
        assertThat(column(db, "select count(*) from orders")).containsExactly("500");
    }

    @Test
    void anotherApplicationsDatabaseNeedsConfirmation() throws Exception {
        String db = PG.createDatabase("aeterna");
        BackupManifest backup = shop(db);
        String other = PG.createDatabase("eternia");
        PG.cluster().execute(other, "create table invoices(id int)");
        assertThatThrownBy(() -> restore(new ArrayList<>()).run(backup, PG.settings(other),
                clean(ReplaceOptions.defaults())))
                .isInstanceOfSatisfying(UsageException.class, e -> {
                    assertThat(e.getMessage()).contains("is of database '" + db + "', not '" + other + "'")
                            .contains("none of the 1 table(s) in '" + other + "' (public.invoices) is in the backup");
                    assertThat(e.hint()).contains("--confirm-target " + other);
                });
        assertThat(column(other, "select count(*) from invoices")).containsExactly("0");
        RestoreResult r = restore(new ArrayList<>()).run(backup, PG.settings(other),
                clean(new ReplaceOptions(false, false, Duration.ofSeconds(5), other)));
        assertThat(r.mode()).isEqualTo(RestoreResult.Mode.SWAPPED);
        assertThat(column(other, "select count(*) from orders")).containsExactly("500");
    }
}

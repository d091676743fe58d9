package io.arca.postgres.logical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.local.PgBinaries;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup's waits for tables are bounded at the engine: pg_dump, the snapshot session's row
 * counts and its read of the migration version each fail after the lock wait timeout, naming the
 * table and the session that holds it.
 */
class SnapshotSessionIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final Duration WAIT = Duration.ofSeconds(1);

    @Test
    void pgDumpBehindAnExclusiveLockFailsNamingTableAndHolder(@TempDir Path dir) throws Exception {
        String db = PG.createDatabase("dumplock");
        PG.cluster().execute(db, "create table \"Big Orders\" as select g from generate_series(1, 10) g");
        Repository repo = Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
        try (Connection holder = PG.connect(db)) {
            int pid = lock(holder, "\"Big Orders\"");
            LogicalBackupOptions o = new LogicalBackupOptions(DumpFormat.PLAIN, 1, false, List.of(), List.of(),
                    List.of(), true, CodecSpec.defaults(), java.util.Map.of(), dir, WAIT);
            LogicalBackup backup = new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE);
            long started = System.nanoTime();
            assertThatThrownBy(() -> backup.run(PG.settings(db), o)).isInstanceOfSatisfying(ArcaException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.PG_LOCK_TIMEOUT);
                assertThat(e.getMessage()).isEqualTo("pg_dump waited 1s for a lock on table 'public.\"Big Orders\"':"
                        + " session pid " + pid + " (user 'postgres', application 'holder') holds an ACCESS EXCLUSIVE lock on table"
                        + " '\"Big Orders\"'");
                assertThat(e.hint()).contains("pg_terminate_backend(" + pid + ")").contains("--lock-wait-timeout");
            });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
            Repository.Catalog catalog = repo.catalog();
            assertThat(catalog.backups()).isEmpty();
            assertThat(catalog.incomplete()).isEmpty();
        }
    }

    @Test
    void aSessionQueuedForAnExclusiveLockIsNamedWithTheSessionItWaitsFor(@TempDir Path dir) throws Exception {
        String db = PG.createDatabase("queued");
        PG.cluster().execute(db, "create table orders as select g from generate_series(1, 10) g");
        Repository repo = Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
        try (Connection reader = PG.connect(db); Connection migration = PG.connect(db)) {
            // a long query holds ACCESS SHARE; a migration queues for ACCESS EXCLUSIVE behind it, and
            // every later reader (the backup) queues behind the migration
            reader.setAutoCommit(false);
            int readerPid = pid(reader);
            try (Statement st = reader.createStatement()) {
                st.execute("select count(*) from orders");
            }
            int migrationPid = pid(migration);
            Thread alter = new Thread(() -> {
                try (Statement st = migration.createStatement()) {
                    st.execute("set application_name = 'migration'");
                    st.execute("alter table orders add column note text");
                } catch (java.sql.SQLException e) {
                    // the test is over
                }
            }, "migration");
            alter.start();
            awaitWaiting(db, migrationPid);

            LogicalBackup backup = new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE);
            assertThatThrownBy(() -> backup.run(PG.settings(db), LogicalBackupOptions.defaults(CodecSpec.defaults())
                    .withLockWaitTimeout(WAIT))).isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PG_LOCK_TIMEOUT);
                        assertThat(e.getMessage()).endsWith(": session pid " + migrationPid + " (user 'postgres',"
                                + " application 'migration') waits for an ACCESS EXCLUSIVE lock on table 'orders'"
                                + " behind pid " + readerPid);
                    });
            reader.rollback();
            alter.join(30_000);
            assertThat(alter.isAlive()).isFalse();
        }
    }

    private static int pid(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Polls until {@code pid} waits for a lock (at most 30 s). */
    private static void awaitWaiting(String db, int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = PG.connect(db); Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("select count(*) from pg_locks where not granted and pid = " + pid)) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("session %d waits for its lock within 30 s", pid).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aRowCountBehindAnExclusiveLockFailsNamingTableAndHolder() throws Exception {
        String db = PG.createDatabase("countlock");
        PG.cluster().execute(db, "create table orders as select g from generate_series(1, 10) g");
        try (SnapshotSession session = SnapshotSession.open(PG.settings(db), WAIT);
                Connection holder = PG.connect(db)) {
            int pid = lock(holder, "orders");
            assertThatThrownBy(() -> session.countRows(new TableRef("public", "orders")).get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PG_LOCK_TIMEOUT);
                        assertThat(e.getMessage()).startsWith("counting the rows of table 'public.orders' waited 1s")
                                .contains("session pid " + pid + " (user 'postgres', application 'holder') holds");
                    });
        }
    }

    @Test
    void theMigrationVersionBehindAnExclusiveLockFailsNamingTheTable() throws Exception {
        String db = PG.createDatabase("migrationlock");
        PG.cluster().execute(db, "create table alembic_version (version_num text)",
                "insert into alembic_version values ('abc123')");
        try (SnapshotSession session = SnapshotSession.open(PG.settings(db), WAIT);
                Connection holder = PG.connect(db)) {
            int pid = lock(holder, "alembic_version");
            assertThatThrownBy(() -> session.migration().join()).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PG_LOCK_TIMEOUT);
                        assertThat(e.getMessage()).startsWith("reading the schema migration version waited 1s for a"
                                + " lock on table 'public.alembic_version'").contains("session pid " + pid);
                    });
        }
        // and without the lock the same session shape reads it
        try (SnapshotSession session = SnapshotSession.open(PG.settings(db), WAIT)) {
            assertThat(session.migration().join().version()).isEqualTo("abc123");
        }
    }

    @Test
    void theSnapshotOutlivesTheServersIdleInTransactionTimeout() throws Exception {
        String db = PG.createDatabase("idle");
        PG.cluster().execute(db, "create table orders as select g from generate_series(1, 10) g",
                "alter database " + db + " set idle_in_transaction_session_timeout = '500ms'");
        try (SnapshotSession session = SnapshotSession.open(PG.settings(db), WAIT)) {
            // idle in its transaction for longer than the server allows, as while pg_dump runs
            Thread.sleep(1500);
            assertThat(session.countRows(new TableRef("public", "orders")).get(30, TimeUnit.SECONDS)).isEqualTo(10);
        }
    }

    @Test
    void pgDumpOutputNamesTheTablesItWaitedFor() {
        assertThat(LockWaits.lockedRelations(List.of(
                "pg_dump: error: query failed: ERROR:  canceling statement due to statement timeout",
                "pg_dump: detail: Query was: LOCK TABLE public.a, \"S, 1\".\"T\" IN ACCESS SHARE MODE")))
                .containsExactly("public.a", "\"S, 1\".\"T\"");
        assertThat(LockWaits.lockedRelations(List.of(
                "pg_dump: error: could not obtain lock on relation \"public.b\"",
                "This usually means that someone requested an ACCESS EXCLUSIVE lock on the table after the pg_dump"
                        + " parent process had gotten the initial ACCESS SHARE lock on the table.")))
                .containsExactly("public.b");
        assertThat(LockWaits.lockedRelations(List.of("pg_dump: error: query failed: ERROR:  permission denied",
                "pg_dump: detail: Query was: LOCK TABLE public.a IN ACCESS SHARE MODE"))).isEmpty();
    }

    @Test
    void aBatchOfTablesIsNamedByTheOnesASessionBlocksOrByAFew() {
        List<String> batch = List.of("public.a", "public.b", "public.c", "public.d", "public.e", "public.f", "public.g");
        LockWaits.Holder holder = new LockWaits.Holder("c", 42, "app", "", true, List.of());
        assertThat(LockWaits.timedOut("pg_dump", batch, Duration.ofMinutes(5), List.of(holder), null).getMessage())
                .isEqualTo("pg_dump waited 5m for a lock on table 'c': session pid 42 (user 'app') holds an ACCESS"
                        + " EXCLUSIVE lock on table 'c'");
        assertThat(LockWaits.timedOut("pg_dump", batch, Duration.ofMillis(1500), List.of(), null).getMessage())
                .isEqualTo("pg_dump waited 1500ms for a lock on tables 'public.a', 'public.b', 'public.c', 'public.d',"
                        + " 'public.e' and 2 more: the session that held it has ended since");
    }

    /** Takes ACCESS EXCLUSIVE on {@code table} in an open transaction of {@code c}; returns its pid. */
    private static int lock(Connection c, String table) throws Exception {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            int pid = rs.getInt(1);
            st.execute("set application_name = 'holder'");
            st.execute("lock table " + table + " in access exclusive mode");
            return pid;
        }
    }
}

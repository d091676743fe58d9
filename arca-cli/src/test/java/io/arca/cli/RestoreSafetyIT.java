package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore --clean} over a live database never leaves it worse than it found it: a damaged
 * backup changes nothing; a lock held by another session ends the wait after --lock-timeout with
 * that session named; other sessions are listed or, on request, ended; a kill -9 mid-restore
 * leaves the target whole (swap and in-place); another application's database needs
 * --confirm-target; a role without CREATEDB restores in place in one transaction.
 */
class RestoreSafetyIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    static Path repo;

    @BeforeAll
    static void init() {
        ArcaRun init = ArcaRun.of("init", "--repo", repo.toString());
        assertThat(init.exit()).as(init.toString()).isZero();
    }

    static String url(String db) {
        return ArcaRun.url(PG.cluster(), db);
    }

    /** A database with {@code rows} orders and 50 customers, backed up; returns the backup id. */
    static String shop(String db, int rows) {
        PG.cluster().execute(db, "create table customers(id int primary key, name text)",
                "insert into customers select g, 'c' || g from generate_series(1, 50) g",
                "create table orders(id int primary key, customer int references customers, note text)",
                "insert into orders select g, 1 + g % 50, md5(g::text) from generate_series(1, " + rows + ") g");
        ArcaRun b = ArcaRun.of("backup", "--repo", repo.toString(), "--db", url(db), "-o", "json");
        assertThat(b.exit()).as(b.toString()).isZero();
        return json(b.out()).get("id").asText();
    }

    static JsonNode json(String text) {
        try {
            return RepositoryJson.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static long count(String db, String sql) throws SQLException {
        try (Connection c = PG.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long leftovers(String db) throws SQLException {
        return count("postgres", "select count(*) from pg_database where datname like '" + db + "\\_arca\\_%'");
    }

    static Path artifact(String id) throws IOException {
        try (Stream<Path> files = Files.walk(repo)) {
            return files.filter(p -> p.toString().contains(id) && p.toString().endsWith(".dump.zst")).findFirst()
                    .orElseThrow();
        }
    }

    static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aByteFlippedAt90PercentChangesNothingInTheTarget() throws Exception {
        String db = PG.createDatabase("flipped");
        String id = shop(db, 20_000);
        Path artifact = artifact(id);
        byte[] bytes = Files.readAllBytes(artifact);
        bytes[bytes.length * 9 / 10] ^= 0x01;
        Files.write(artifact, bytes);

        ArcaRun r = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(db), "--clean");
        assertThat(r.exit()).as(r.toString()).isEqualTo(15);
        assertThat(count(db, "select count(*) from orders")).isEqualTo(20_000);
        assertThat(count(db, "select count(*) from pg_constraint where contype = 'f'")).isEqualTo(1);
        assertThat(r.err()).contains(artifact.getFileName().toString()).contains("database '" + db + "' was not changed");
        assertThat(leftovers(db)).isZero();
    }

    @Test
    void aLockHeldByAnotherSessionEndsTheWaitAndIsNamed(@TempDir Path tmp) throws Exception {
        String db = PG.createDatabase("locked");
        String id = shop(db, 1_000);
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
        try (Connection holder = PG.connect(db)) {
            int pid = pid(holder);
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("lock table orders in access exclusive mode");
            }
            // by default (a swap) the session is in the way before anything waits for its lock
            ArcaRun listed = runBounded(env, Duration.ofSeconds(90), List.of("restore", "--repo", repo.toString(), id,
                    "--to", url(db), "--clean"));
            assertThat(listed.exit()).as(listed.toString()).isEqualTo(1);
            assertThat(listed.err()).contains("has 1 other session: pid " + pid).contains("lock table orders");
            for (List<String> extra : List.of(List.of("--in-place"), List.of("--in-place", "--no-safety-backup", "-j", "2"))) {
                List<String> args = new ArrayList<>(List.of("restore", "--repo", repo.toString(), id, "--to", url(db),
                        "--clean", "--lock-timeout", "2s"));
                args.addAll(extra);
                long t0 = System.nanoTime();
                ArcaRun r = runBounded(env, Duration.ofSeconds(90), args);
                assertThat(r.exit()).as(r.toString()).isEqualTo(1);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
                assertThat(r.err()).contains("waited more than 2s for a lock held by pid " + pid + " (user postgres")
                        .contains("lock table orders");
                try (Stream<Path> left = Files.list(tmp)) {
                    assertThat(left.filter(p -> p.getFileName().toString().startsWith("arca-"))).isEmpty();
                }
            }
            holder.rollback();
        }
        assertThat(count(db, "select count(*) from orders")).isEqualTo(1_000);
        assertThat(count(db, "select count(*) from pg_constraint where contype = 'f'")).isEqualTo(1);
    }

    @Test
    void otherSessionsAreListedAndEndedOnlyOnRequest() throws Exception {
        String db = PG.createDatabase("busy");
        String id = shop(db, 1_000);
        PG.cluster().execute(db, "delete from orders where id > 10");
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", PG.cluster().password());
        p.setProperty("ApplicationName", "billing-worker");
        try (Connection other = new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:" + PG.cluster().port()
                + "/" + db, p)) {
            int pid = pid(other);
            ArcaRun refused = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(db), "--clean");
            assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).contains("error: database '" + db + "' has 1 other session: pid " + pid
                    + " (user postgres, application 'billing-worker'").contains("hint: ").contains("--terminate-connections");
            assertThat(count(db, "select count(*) from orders")).isEqualTo(10);

            ArcaRun ended = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(db), "--clean",
                    "--terminate-connections", "-o", "json");
            assertThat(ended.exit()).as(ended.toString()).isZero();
            JsonNode j = json(ended.out());
            assertThat(j.get("mode").asText()).isEqualTo("swapped");
            assertThat(j.get("safetyBackup").asText()).matches("\\d{8}T\\d{6}Z-[0-9a-f]{8}");
            assertThat(other.isValid(2)).isFalse();
        }
        assertThat(count(db, "select count(*) from orders")).isEqualTo(1_000);
        assertThat(leftovers(db)).isZero();
    }

    @Test
    void killDuringASwapRestoreLeavesTheTargetWhole(@TempDir Path tmp) throws Exception {
        String db = PG.createDatabase("killswap");
        String id = shop(db, 1_000_000);
        PG.cluster().execute(db, "insert into orders values (0, 1, 'marker')");
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
        killMidCopy(db, id, url(db), env);
        awaitNoRestoreSessions();
        assertThat(count(db, "select count(*) from orders")).isEqualTo(1_000_001);
        assertThat(count(db, "select count(*) from pg_constraint where contype = 'f'")).isEqualTo(1);

        // the next restore removes what the killed one left (databases, temp folder), and succeeds
        ArcaRun again = ArcaProcess.run(env, "restore", "--repo", repo.toString(), id, "--to", url(db), "--clean",
                "--no-safety-backup", "--verbose");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.err()).contains("that an interrupted restore into '" + db + "' left")
                .contains("that interrupted runs left");
        assertThat(count(db, "select count(*) from orders")).isEqualTo(1_000_000);
        assertThat(leftovers(db)).isZero();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith("arca-restore-"))).isEmpty();
        }
    }

    @Test
    void withoutCreatedbTheRestoreIsInPlaceInOneTransaction() throws Exception {
        PG.cluster().execute("postgres", "create role app_nocreate login password 'secret' nocreatedb");
        String db = PG.createDatabase("nocreatedb");
        PG.cluster().execute("postgres", "alter database " + db + " owner to app_nocreate");
        PG.cluster().execute(db, "set role app_nocreate",
                "create table customers(id int primary key, name text)",
                "insert into customers select g, 'c' || g from generate_series(1, 50) g",
                "create table orders(id int primary key, customer int references customers, note text)",
                "insert into orders select g, 1 + g % 50, md5(g::text) from generate_series(1, 1000000) g");
        String appUrl = "postgresql://app_nocreate:" + URLEncoder.encode("secret", StandardCharsets.UTF_8) + "@127.0.0.1:"
                + PG.cluster().port() + "/" + db;
        ArcaRun b = ArcaRun.of("backup", "--repo", repo.toString(), "--db", appUrl, "-o", "json");
        assertThat(b.exit()).as(b.toString()).isZero();
        String id = json(b.out()).get("id").asText();
        PG.cluster().execute(db, "set role app_nocreate", "insert into orders values (0, 1, 'marker')");

        killMidCopy(db, id, appUrl, Map.of());
        // pg_restore saw its input end, failed, and its one transaction rolled back
        awaitNoRestoreSessions();
        assertThat(count(db, "select count(*) from orders")).isEqualTo(1_000_001);
        assertThat(count(db, "select count(*) from pg_constraint where contype = 'f'")).isEqualTo(1);

        ArcaRun r = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", appUrl, "--clean", "--verbose");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("cannot create a database owned by the owner of '" + db + "'");
        assertThat(r.out()).contains("(in place, one transaction)");
        assertThat(count(db, "select count(*) from orders")).isEqualTo(1_000_000);
    }

    @Test
    void anotherApplicationsDatabaseNeedsConfirmTarget() throws Exception {
        String aeterna = PG.createDatabase("aeterna");
        String id = shop(aeterna, 100);
        String eternia = PG.createDatabase("eternia");
        PG.cluster().execute(eternia, "create table invoices(id int)", "insert into invoices values (1), (2)");

        ArcaRun refused = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(eternia), "--clean");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("refusing to replace database '" + eternia + "'")
                .contains("is of database '" + aeterna + "', not '" + eternia + "'")
                .contains("public.invoices").contains("--confirm-target " + eternia);
        ArcaRun wrong = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(eternia), "--clean",
                "--confirm-target", aeterna);
        assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(2);
        assertThat(count(eternia, "select count(*) from invoices")).isEqualTo(2);

        ArcaRun confirmed = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(eternia), "--clean",
                "--confirm-target", eternia);
        assertThat(confirmed.exit()).as(confirmed.toString()).isZero();
        assertThat(count(eternia, "select count(*) from orders")).isEqualTo(100);
    }

    /** Starts the restore as a process, kills it with SIGKILL once pg_restore copies rows, and waits for it to end. */
    private static void killMidCopy(String db, String id, String to, Map<String, String> env) throws Exception {
        List<String> args = List.of("restore", "--repo", repo.toString(), id, "--to", to, "--clean");
        Path log = Files.createTempFile("arca-kill", ".log");
        Process p = ArcaProcess.start(env, log, args.toArray(String[]::new));
        try (Connection c = PG.connect("postgres"); Statement st = c.createStatement()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            String copying = "select count(*) from pg_stat_activity where application_name like 'arca%'"
                    + " and query ilike 'copy %from stdin%' and (datname = '" + db + "' or datname like '" + db
                    + "\\_arca\\_%')";
            while (true) {
                try (ResultSet rs = st.executeQuery(copying)) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        break;
                    }
                }
                assertThat(p.isAlive()).as("restore ended before copying: %s", Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("pg_restore copying within 120 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /** Waits (bounded) until the pg_restore orphaned by a kill has seen its input end and left. */
    private static void awaitNoRestoreSessions() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count("postgres", "select count(*) from pg_stat_activity where application_name like 'arca%'"
                + " and pid <> pg_backend_pid()") > 0) {
            assertThat(System.nanoTime()).as("restore sessions gone within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Runs the jar, killing it if it has not ended within {@code limit}. */
    private static ArcaRun runBounded(Map<String, String> env, Duration limit, List<String> args) throws Exception {
        Path log = Files.createTempFile("arca-bounded", ".log");
        Process p = ArcaProcess.start(env, log, args.toArray(String[]::new));
        try {
            boolean ended = p.waitFor(limit.toSeconds(), TimeUnit.SECONDS);
            assertThat(ended).as("restore still waiting after %s: %s", limit, Files.readString(log)).isTrue();
            String out = Files.readString(log);
            return new ArcaRun(p.exitValue(), out, out);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups taken with {@code --table}, {@code --schema} or {@code --exclude-table} hold part of the
 * database: they are marked partial in the manifest, {@code list} and {@code show}; {@code latest}
 * of a full restore never picks one; and they never satisfy an RPO in {@code arca status}.
 */
class PartialBackupIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String source;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadSource() {
        source = PG.createDatabase("partsrc");
        PG.cluster().execute(source, "create table users (id int primary key, name text)",
                "insert into users select g, 'user ' || g from generate_series(1, 10) g",
                "create table orders (id int primary key, user_id int references users, total numeric)",
                "insert into orders select g, 1 + g % 10, g * 1.5 from generate_series(1, 20) g");
    }

    @Test
    void aTableBackupIsMarkedPartialAndNeverBecomesLatest() throws Exception {
        Path repo = init("repo");
        String full = backup(repo);
        String partial = backup(repo, "--table", "users");

        JsonNode rows = json(run("list", "--repo", repo.toString(), "-o", "json").out());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("id").asText()).isEqualTo(partial);
        assertThat(rows.get(0).get("partial").asBoolean()).isTrue();
        assertThat(rows.get(1).get("id").asText()).isEqualTo(full);
        assertThat(rows.get(1).get("partial").asBoolean()).isFalse();
        assertThat(run("list", "--repo", repo.toString()).out()).containsPattern(partial + ".*" + source + " \\(partial\\)")
                .doesNotContainPattern(full + ".*\\(partial\\)");

        ArcaRun show = run("show", partial, "--repo", repo.toString());
        assertThat(show.out()).contains("partial     yes: only --table users");
        JsonNode shown = json(run("show", partial, "--repo", repo.toString(), "-o", "json").out());
        assertThat(shown.get("partial").asBoolean()).isTrue();
        assertThat(shown.get("database").get("selection").get("tables").get(0).asText()).isEqualTo("users");
        assertThat(run("show", full, "--repo", repo.toString()).out()).doesNotContain("partial");

        // latest of a full restore is the full backup, although the partial one is newer
        assertThat(run("show", "latest", "--repo", repo.toString()).out()).contains("backup      " + full);
        String target = "partdst_" + Math.abs(System.nanoTime() % 100000);
        ArcaRun restore = run("restore", "latest", "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(), target));
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(count(target, "orders")).isEqualTo(20);
        assertThat(count(target, "users")).isEqualTo(10);
    }

    @Test
    void everyFilterMarksABackupPartial() {
        Path repo = init("filters");
        backup(repo, "--schema", "public");
        backup(repo, "--exclude-table", "orders");

        JsonNode rows = json(run("list", "--repo", repo.toString(), "-o", "json").out());
        assertThat(rows).hasSize(2).allSatisfy(r -> assertThat(r.get("partial").asBoolean()).isTrue());
        ArcaRun latest = run("show", "latest", "--repo", repo.toString());
        assertThat(latest.exit()).as("no full backup to be latest: " + latest).isEqualTo(1);
        assertThat(latest.err()).contains("no complete backup").contains("partial");
    }

    @Test
    void aPartialBackupDoesNotSatisfyTheRpo() {
        Path repo = init("rpo");
        String partial = backup(repo, "--table", "users");

        ArcaRun status = run("status", "--repo", repo.toString(), "--rpo", "24h", "--drill-within", "none");

        assertThat(status.exit()).as(status.toString()).isEqualTo(1);
        assertThat(status.out()).contains("no full backup (newest partial backup " + partial + ")");
        assertThat(status.err()).contains("'" + source + "': no full backup");

        String full = backup(repo);
        ArcaRun met = run("status", "--repo", repo.toString(), "--rpo", "24h", "--drill-within", "none");
        assertThat(met.exit()).as(met.toString()).isZero();
        assertThat(met.out()).contains(full);
        // a newer partial backup does not replace the full one as the newest valid backup
        backup(repo, "--table", "users");
        assertThat(run("status", "--repo", repo.toString(), "--rpo", "24h", "--drill-within", "none", "-o", "json")
                .out()).contains("\"backupId\" : \"" + full + "\"");
    }

    private Path init(String name) {
        Path repo = dir.resolve(name);
        ArcaRun r = run("init", "--repo", repo.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return repo;
    }

    private static String backup(Path repo, String... extra) {
        List<String> args = new ArrayList<>(List.of("backup", "--repo", repo.toString(), "--db",
                ArcaRun.url(PG.cluster(), source), "-o", "json"));
        args.addAll(List.of(extra));
        ArcaRun r = run(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return json(r.out()).get("id").asText();
    }

    private static ArcaRun run(String... args) {
        return ArcaRun.of(args);
    }

    private static long count(String db, String table) throws Exception {
        try (Connection c = PG.connect(db); ResultSet rs = c.createStatement().executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static JsonNode json(String text) {
        try {
            return RepositoryJson.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}

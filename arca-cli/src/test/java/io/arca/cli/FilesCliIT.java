package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files source through the command line: one backup with a database and two paths, show,
 * restore --list, verify, a files-only restore, its refusal without --clean (before anything is
 * restored), the database and files restored together, and a backup of files alone.
 */
class FilesCliIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static String db;

    @TempDir
    Path dir;

    @BeforeAll
    static void database() {
        db = PG.createDatabase("filesapp");
        PG.cluster().execute(db, "create table items (id int primary key)",
                "insert into items select g from generate_series(1, 17) g");
    }

    /** {@code app/secrets/} (a file, a private directory, a link) and {@code app/.env}. */
    private Path application() throws Exception {
        Path app = Files.createDirectories(dir.resolve("app"));
        Path secrets = Files.createDirectories(app.resolve("secrets/tls"));
        Files.writeString(app.resolve("secrets/db.env"), "DB_PASSWORD=hunter2\n");
        Files.setAttribute(app.resolve("secrets/db.env"), "unix:mode", 0600);
        Files.writeString(secrets.resolve("server.key"), "-----BEGIN KEY-----\n");
        Files.setAttribute(secrets, "unix:mode", 0700);
        Files.createSymbolicLink(app.resolve("secrets/current.key"), Path.of("tls/server.key"));
        Files.writeString(app.resolve(".env"), "APP_ENV=production\n");
        return app;
    }

    @Test
    void oneBackupHoldsTheDatabaseAndTheFilesAndRestoresEach() throws Exception {
        Path app = application();
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();

        ArcaRun missing = ArcaRun.of("backup", "--repo", repo.toString(), "--files", dir.resolve("nope").toString());
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.err()).contains("--files '" + dir.resolve("nope") + "': no such file or directory");

        ArcaRun backup = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), db),
                "--files", app.resolve("secrets").toString(), "--files", app.resolve(".env").toString(), "-o", "json");
        assertThat(backup.exit()).as(backup.toString()).isZero();
        String id = json(backup.out()).get("id").asText();

        JsonNode manifest = json(ArcaRun.of("show", id, "--repo", repo.toString(), "-o", "json").out());
        assertThat(manifest.get("sections")).hasSize(3);
        assertThat(manifest.get("sections").get(1).get("source").asText()).isEqualTo("files");
        assertThat(manifest.get("sections").get(1).get("subject").asText()).endsWith(app.resolve("secrets").toString());
        ArcaRun list = ArcaRun.of("restore", id, "--repo", repo.toString(), "--list");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains("drwx------ ", " 0 secrets/tls/", " 20 secrets/db.env",
                " 0 secrets/current.key -> tls/server.key", " 19 .env");
        ArcaRun verify = ArcaRun.of("verify", id, "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();

        // the files alone
        Path restored = dir.resolve("restored");
        ArcaRun files = ArcaRun.of("restore", id, "--repo", repo.toString(), "--files-to", restored.toString(),
                "--files-only");
        assertThat(files.exit()).as(files.toString()).isZero();
        assertThat(files.out()).contains("restored into '" + restored.resolve("secrets") + "': 5 entries");
        assertThat(restored.resolve("secrets/db.env")).hasContent("DB_PASSWORD=hunter2");
        assertThat(Files.getAttribute(restored.resolve("secrets/db.env"), "unix:mode")).isEqualTo(0100600);
        assertThat(Files.readSymbolicLink(restored.resolve("secrets/current.key"))).isEqualTo(Path.of("tls/server.key"));
        assertThat(restored.resolve(".env")).hasContent("APP_ENV=production");

        // again: refused before the database part starts
        String target = "files_restored";
        Files.writeString(restored.resolve(".env"), "APP_ENV=changed\n");
        ArcaRun refused = ArcaRun.of("restore", id, "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(), target),
                "--files-to", restored.toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("already exist in '" + restored + "'").contains("--clean");
        try (Connection c = PG.connect("postgres"); ResultSet rs = c.createStatement().executeQuery(
                "select count(*) from pg_database where datname = '" + target + "'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the database part never started").isZero();
        }
        assertThat(restored.resolve(".env")).hasContent("APP_ENV=changed");

        // database and files together, the files into a new directory
        Path both = dir.resolve("both");
        ArcaRun together = ArcaRun.of("restore", id, "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(),
                target), "--files-to", both.toString());
        assertThat(together.exit()).as(together.toString()).isZero();
        assertThat(both.resolve("secrets/tls/server.key")).hasContent("-----BEGIN KEY-----");
        try (Connection c = PG.connect(target); ResultSet rs = c.createStatement().executeQuery(
                "select count(*) from items")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(17);
        }

        // --clean replaces what exists and leaves the rest
        Files.writeString(restored.resolve("secrets/local-only"), "mine\n");
        ArcaRun clean = ArcaRun.of("restore", id, "--repo", repo.toString(), "--files-to", restored.toString(),
                "--files-only", "--clean");
        assertThat(clean.exit()).as(clean.toString()).isZero();
        assertThat(restored.resolve(".env")).hasContent("APP_ENV=production");
        assertThat(restored.resolve("secrets/local-only")).hasContent("mine");
        try (Stream<Path> left = Files.list(restored)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("secrets", ".env");
        }
    }

    @Test
    void filesAloneMakeABackupWithoutADatabase() throws Exception {
        Path app = application();
        Path repo = dir.resolve("alone");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();

        ArcaRun backup = ArcaRun.of("backup", "--repo", repo.toString(), "--files", app.resolve(".env").toString());
        assertThat(backup.exit()).as(backup.toString()).isZero();

        Path restored = dir.resolve("restored");
        String id = backup.out().split(" ")[1];
        ArcaRun noDatabase = ArcaRun.of("restore", id, "--repo", repo.toString(), "--files-to", restored.toString(),
                "--to", "postgresql://x@127.0.0.1:1/y");
        assertThat(noDatabase.exit()).as(noDatabase.toString()).isEqualTo(2);
        assertThat(noDatabase.err()).contains("holds no database to restore with --to");
        ArcaRun both = ArcaRun.of("restore", id, "--repo", repo.toString(), "--files-to", restored.toString(),
                "--files-only", "--to", "postgresql://x@127.0.0.1:1/y");
        assertThat(both.exit()).as(both.toString()).isEqualTo(2);
        assertThat(Files.exists(restored)).as("nothing restored").isFalse();
        ArcaRun restore = ArcaRun.of("restore", "latest", "--repo", repo.toString(), "--files-to", restored.toString());
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restored.resolve(".env")).hasContent("APP_ENV=production");
        assertThat(Files.isRegularFile(restored.resolve(".env"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    private static JsonNode json(String text) throws Exception {
        return RepositoryJson.mapper().readTree(text);
    }
}

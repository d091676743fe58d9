package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.qdrant.QdrantStandIn;
import io.arca.testkit.qdrant.QdrantTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Qdrant source through the command line, against the Qdrant stand-in (API key from
 * {@code --qdrant-api-key-file}: the in-process CLI reads this JVM's environment): one backup
 * with a database and a collection, list, show, verify, restore alone and together, refusal
 * without {@code --clean}, renaming, and a drill into a scratch Qdrant.
 */
class QdrantIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static QdrantStandIn qdrant;
    private static QdrantTestClient client;
    private static String db;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        qdrant = QdrantStandIn.start("cli-key", null);
        client = new QdrantTestClient(qdrant);
        client.createCollection("products", 4);
        client.seed("products", 4, 120, 42);
        db = PG.createDatabase("qdrantapp");
        PG.cluster().execute(db, "create table items (id int primary key)",
                "insert into items select g from generate_series(1, 25) g");
    }

    @AfterAll
    static void stop() {
        qdrant.close();
    }

    @Test
    void oneBackupHoldsTheDatabaseAndTheCollectionAndRestoresEach() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(run("init", "--repo", repo.toString()).exit()).isZero();
        Path key = Files.writeString(dir.resolve("qdrant.key"), "cli-key\n");

        ArcaRun noKey = run("backup", "--repo", repo.toString(), "--qdrant", qdrant.url(), "--qdrant-collection",
                "products");
        assertThat(noKey.exit()).as(noKey.toString()).isEqualTo(1);
        assertThat(noKey.err()).contains("error: qdrant at '" + qdrant.url() + "' requires an api key")
                .contains("hint: put the key in ARCA_QDRANT_API_KEY or in a file given with --qdrant-api-key-file");
        ArcaRun neither = run("backup", "--repo", repo.toString(), "--qdrant", qdrant.url());
        assertThat(neither.exit()).as(neither.toString()).isEqualTo(2);
        assertThat(neither.err()).contains("--qdrant needs the collections to back up");

        ArcaRun backup = run("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), db), "--qdrant",
                qdrant.url(), "--qdrant-collection", "products", "--qdrant-api-key-file", key.toString(), "-o", "json");
        assertThat(backup.exit()).as(backup.toString()).isZero();
        String id = json(backup.out()).get("id").asText();
        assertThat(client.snapshots("products")).isEmpty();

        JsonNode manifest = json(run("show", id, "--repo", repo.toString(), "-o", "json").out());
        assertThat(manifest.get("sections")).hasSize(2);
        assertThat(manifest.get("sections").get(1).get("source").asText()).isEqualTo("qdrant.snapshot");
        assertThat(manifest.get("sections").get(1).get("details").get("pointsCount").asLong()).isEqualTo(120);
        assertThat(run("show", id, "--repo", repo.toString()).out()).contains("kind        logical+qdrant.snapshot")
                .contains("section     qdrant.snapshot qdrant://127.0.0.1:");
        ArcaRun list = run("restore", id, "--repo", repo.toString(), "--list");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains("qdrant collection 'products': 120 points");
        ArcaRun verify = run("verify", id, "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("qdrant.snapshot");

        // the collection exists: refused without --clean, before the database is touched
        String target = "qdrant_restored";
        ArcaRun refused = run("restore", id, "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(), target),
                "--qdrant", qdrant.url(), "--qdrant-api-key-file", key.toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("error: qdrant collection 'products' exists at '" + qdrant.url() + "'")
                .contains("--clean");
        try (Connection c = PG.connect("postgres"); ResultSet rs = c.createStatement().executeQuery(
                "select count(*) from pg_database where datname = '" + target + "'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the database part never started").isZero();
        }

        client.seed("products", 4, 130, 7);
        assertThat(client.pointsCount("products")).isGreaterThan(120);
        ArcaRun clean = run("restore", id, "--repo", repo.toString(), "--qdrant", qdrant.url(),
                "--qdrant-api-key-file", key.toString(), "--qdrant-only", "--clean");
        assertThat(clean.exit()).as(clean.toString()).isZero();
        assertThat(clean.out()).contains("qdrant collection 'products' replaced from snapshot");
        assertThat(client.pointsCount("products")).isEqualTo(120);

        // database and collection together, the collection under a new name
        ArcaRun both = run("restore", id, "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(), target),
                "--qdrant", qdrant.url(), "--qdrant-api-key-file", key.toString(), "--qdrant-collection",
                "products:products_copy");
        assertThat(both.exit()).as(both.toString()).isZero();
        assertThat(client.pointsCount("products_copy")).isEqualTo(120);
        try (Connection c = PG.connect(target); ResultSet rs = c.createStatement().executeQuery(
                "select count(*) from items")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(25);
        }

        try (QdrantStandIn scratch = QdrantStandIn.start()) {
            ArcaRun drill = run("drill", id, "--repo", repo.toString(), "--qdrant-scratch", scratch.url(), "-o", "json");
            assertThat(drill.exit()).as(drill.toString()).isZero();
            assertThat(drill.out()).contains("holds 120 points, the backup recorded 120");
            assertThat(scratch.calls("recover_from_uploaded_snapshot")).isEqualTo(1);
            assertThat(scratch.collectionNames()).isEmpty();
        }
    }

    @Test
    void aBackupOfQdrantAloneNeedsNoDatabase() throws Exception {
        Path repo = dir.resolve("alone");
        assertThat(run("init", "--repo", repo.toString()).exit()).isZero();
        Path key = Files.writeString(dir.resolve("qdrant.key"), "cli-key");
        ArcaRun backup = run("backup", "--repo", repo.toString(), "--qdrant", qdrant.url(), "--qdrant-all",
                "--qdrant-api-key-file", key.toString());
        assertThat(backup.exit()).as(backup.toString()).isZero();
        ArcaRun shown = run("list", "--repo", repo.toString());
        assertThat(shown.out()).contains("products");
        ArcaRun restore = run("restore", "latest", "--repo", repo.toString(), "--qdrant", qdrant.url(),
                "--qdrant-api-key-file", key.toString(), "--qdrant-collection", "products:products_alone");
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(client.pointsCount("products_alone")).isGreaterThanOrEqualTo(120);
        client.deleteCollection("products_alone");
    }

    private static ArcaRun run(String... args) {
        return ArcaRun.of(args);
    }

    private static JsonNode json(String text) {
        try {
            return RepositoryJson.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.DatabaseAssertions;
import io.arca.testkit.pg.DatabaseFingerprint;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Backup, list, show, verify and restore through the command line against a real cluster with the
 * rich sample dataset; the restored database must hold the same rows (count and hash per table),
 * large objects and sequence values as the source.
 */
class LogicalRoundTripIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String source;
    static DatabaseFingerprint sourceFingerprint;

    @BeforeAll
    static void loadSource() throws Exception {
        source = PG.createDatabase("source");
        try (Connection c = PG.connect(source)) {
            SampleDataset.load(c);
            SampleDataset.installMigrationTable(c, "flyway", "7.1");
            sourceFingerprint = DatabaseFingerprint.of(c);
        }
    }

    static String url(String db) {
        return ArcaRun.url(PG.cluster(), db);
    }

    static Path initRepo(Path dir) {
        ArcaRun init = ArcaRun.of("init", "--repo", dir.toString());
        assertThat(init.exit()).as(init.toString()).isZero();
        return dir;
    }

    static String backup(Path repo, String... extra) {
        List<String> args = new ArrayList<>(List.of("backup", "--repo", repo.toString(), "--db", url(source), "-o", "json"));
        args.addAll(List.of(extra));
        ArcaRun r = ArcaRun.of(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return json(r.out()).get("id").asText();
    }

    static JsonNode json(String text) {
        try {
            return RepositoryJson.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static DatabaseFingerprint fingerprint(String db) throws Exception {
        try (Connection c = PG.connect(db)) {
            return DatabaseFingerprint.of(c);
        }
    }

    @ParameterizedTest(name = "{0} format, {1} compression, restore with {2} jobs")
    @CsvSource({
        "custom, zstd, 1",
        "custom, zstd, 3",
        "custom, gzip, 2",
        "custom, lz4, 1",
        "custom, none, 2",
        "plain, zstd, 1",
        "directory, zstd, 2",
        "directory, gzip, 1",
    })
    void roundTripPreservesEveryRow(String format, String codec, int jobs, @TempDir Path dir) throws Exception {
        Path repo = initRepo(dir);
        List<String> extra = new ArrayList<>(List.of("--format", format, "--compression", codec));
        if (format.equals("directory")) {
            // Non-parallel pg_dump reports no finished items: files are complete when it exits.
            extra.addAll(List.of("--jobs", String.valueOf(jobs)));
        }
        String id = backup(repo, extra.toArray(String[]::new));
        assertManifestCountsEqualSource(repo, id);

        ArcaRun verify = ArcaRun.of("verify", "--repo", repo.toString(), id);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("backup " + id + " verified");

        String target = "restored_" + format + "_" + codec + "_" + jobs;
        ArcaRun restore = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(target), "--jobs",
                String.valueOf(jobs), "--verbose");
        assertThat(restore.exit()).as(restore.toString()).isZero();
        if (format.equals("custom") && jobs > 1) {
            // The sample dataset has large objects: their blocks need the phased restore.
            assertThat(restore.err()).contains("restoring in phases with " + jobs + " data workers");
        }
        assertThat(restore.out()).contains("restored " + id).contains("(created)");
        DatabaseAssertions.assertSameData(sourceFingerprint, fingerprint(target));
    }

    /** Every table of the source with its exact row count (count(*) in the source), nothing else. */
    static void assertManifestCountsEqualSource(Path repo, String id) {
        JsonNode db = json(ArcaRun.of("show", "--repo", repo.toString(), id, "-o", "json").out()).get("database");
        assertThat(db.get("rowCounts").asBoolean()).isTrue();
        List<String> recorded = new ArrayList<>();
        for (JsonNode t : db.get("tables")) {
            String name = DatabaseFingerprint.qualify(t.get("schema").asText(), t.get("name").asText());
            recorded.add(name);
            assertThat(sourceFingerprint.tables()).as("table %s in the source", name).containsKey(name);
            assertThat(t.get("rows").asLong()).as("rows of %s", name).isEqualTo(sourceFingerprint.table(name).rows());
        }
        assertThat(recorded).containsExactlyInAnyOrderElementsOf(sourceFingerprint.tables().keySet());
    }

    @Test
    void manifestRecordsTablesRowCountsMigrationAndTools(@TempDir Path dir) throws Exception {
        Path repo = initRepo(dir);
        String id = backup(repo, "--globals", "--label", "team=payments");

        ArcaRun show = ArcaRun.of("show", "--repo", repo.toString(), id, "--output", "json");
        assertThat(show.exit()).as(show.toString()).isZero();
        JsonNode m = json(show.out());
        assertThat(m.get("kind").asText()).isEqualTo("logical");
        assertThat(m.get("labels").get("team").asText()).isEqualTo("payments");
        assertThat(m.get("tools").get("pg_dump").asText()).startsWith("15.");
        JsonNode db = m.get("database");
        assertThat(db.get("name").asText()).isEqualTo(source);
        assertThat(db.get("systemIdentifier").asText()).matches("\\d+");
        assertThat(db.get("migration").get("tool").asText()).isEqualTo("flyway");
        assertThat(db.get("migration").get("version").asText()).isEqualTo("7.1");
        assertManifestCountsEqualSource(repo, id);
        List<String> files = new ArrayList<>();
        for (JsonNode a : m.get("artifacts")) {
            files.add(a.get("file").asText());
            Path stored = repo.resolve(new io.arca.core.repo.BackupId(id).directory()).resolve(a.get("file").asText());
            assertThat(stored).exists().hasSize(a.get("storedSize").asLong());
        }
        assertThat(files).containsExactlyInAnyOrder(source + ".dump.zst", "globals.sql.zst");

        ArcaRun list = ArcaRun.of("list", "--repo", repo.toString());
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("ID", "STARTED", "KIND", "DATABASE", "SIZE", "DURATION").contains(id)
                .contains("logical").contains(source).contains("team=payments");
        ArcaRun listJson = ArcaRun.of("list", "--repo", repo.toString(), "-o", "json");
        assertThat(json(listJson.out()).get(0).get("id").asText()).isEqualTo(id);

        ArcaRun text = ArcaRun.of("show", "--repo", repo.toString(), "latest");
        assertThat(text.out()).contains("backup      " + id).contains("migration   flyway 7.1");
    }

    @Test
    void selectiveBackupRecordsOnlyTheSelectedTables(@TempDir Path dir) throws Exception {
        Path repo = initRepo(dir);
        String id = backup(repo, "--schema", "app", "--exclude-table", "app.empty_table");
        JsonNode m = json(ArcaRun.of("show", "--repo", repo.toString(), id, "-o", "json").out());
        List<String> tables = new ArrayList<>();
        m.get("database").get("tables").forEach(t -> tables.add(t.get("schema").asText() + "." + t.get("name").asText()));
        assertThat(tables).isNotEmpty().allMatch(n -> n.startsWith("app.")).contains("app.customers")
                .doesNotContain("app.empty_table");

        ArcaRun listing = ArcaRun.of("restore", "--repo", repo.toString(), id, "--list");
        assertThat(listing.exit()).as(listing.toString()).isZero();
        assertThat(listing.out()).contains("TABLE DATA app customers").doesNotContain("TABLE DATA public");
    }

    @ParameterizedTest(name = "restore --table with {0} jobs")
    @CsvSource({"1", "2"})
    void selectiveRestoreRestoresOnlyTheNamedTable(int jobs, @TempDir Path dir) throws Exception {
        Path repo = initRepo(dir);
        String id = backup(repo);
        String target = "restored_selective_" + jobs;
        ArcaRun restore = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(target), "--table",
                "lowercase_plain", "--jobs", String.valueOf(jobs));
        assertThat(restore.exit()).as(restore.toString()).isZero();
        String name = DatabaseFingerprint.qualify("public", "lowercase_plain");
        DatabaseFingerprint restored = fingerprint(target);
        assertThat(restored.tables()).containsOnlyKeys(name);
        assertThat(restored.table(name)).isEqualTo(sourceFingerprint.table(name));
    }

    @Test
    void cleanRestoreTakesSafetyBackupAndIsIdempotent(@TempDir Path dir) throws Exception {
        Path repo = initRepo(dir);
        String id = backup(repo);
        String target = "restored_clean";
        assertThat(ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(target)).exit()).isZero();
        PG.cluster().execute(target, "create table extra_in_target(x int)", "insert into extra_in_target values (1)");

        ArcaRun refused = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url(target));
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("error: database '" + target + "' at '127.0.0.1:" + PG.cluster().port()
                + "' is not empty").contains("hint: ").contains("--clean");

        String extra = DatabaseFingerprint.qualify("public", "extra_in_target");
        for (int round = 0; round < 2; round++) {
            // round 0 replaces the whole database (swap): the table the backup lacks is gone; round 1, in place,
            // replaces only the backup's objects
            boolean inPlace = round == 1;
            if (inPlace) {
                PG.cluster().execute(target, "create table extra_in_target(x int)");
            }
            List<String> args = new ArrayList<>(List.of("restore", "--repo", repo.toString(), id, "--to", url(target),
                    "--clean", "--confirm-target", target, "--jobs", String.valueOf(round + 1)));
            if (inPlace) {
                args.add("--in-place");
            }
            ArcaRun clean = ArcaRun.of(args.toArray(String[]::new));
            assertThat(clean.exit()).as(clean.toString()).isZero();
            assertThat(clean.out()).containsPattern("safety backup \\d{8}T\\d{6}Z-[0-9a-f]{8} taken");
            assertThat(clean.out()).contains(inPlace ? "(in place)" : "(replaced: restored into a new database");
            DatabaseFingerprint after = fingerprint(target);
            if (inPlace) {
                assertThat(after.tables()).containsKey(extra);
            } else {
                assertThat(after.tables()).doesNotContainKey(extra);
            }
            List<String> original = new ArrayList<>(after.tables().keySet());
            original.remove(extra);
            DatabaseAssertions.assertSameData(sourceFingerprint, after.onlyTables(original));
        }
        JsonNode list = json(ArcaRun.of("list", "--repo", repo.toString(), "-o", "json").out());
        long safety = 0;
        for (JsonNode b : list) {
            if ("safety".equals(b.get("labels").path("purpose").asText())) {
                safety++;
                assertThat(b.get("labels").get("before-restore-of").asText()).isEqualTo(id);
            }
        }
        assertThat(safety).isEqualTo(2);
        // Safety backups never become 'latest'.
        assertThat(json(ArcaRun.of("show", "--repo", repo.toString(), "latest", "-o", "json").out())
                .get("backupId").asText()).isEqualTo(id);
    }

    @Test
    void corruptedArtifactFailsVerifyAndRestoreWithExit15(@TempDir Path dir) throws Exception {
        Path repo = initRepo(dir);
        String id = backup(repo);
        Path artifact;
        try (Stream<Path> files = Files.walk(repo)) {
            artifact = files.filter(p -> p.toString().endsWith(".dump.zst")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(artifact);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(artifact, bytes);

        ArcaRun verify = ArcaRun.of("verify", "--repo", repo.toString(), id);
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
        assertThat(verify.err()).contains("error: backup '" + id + "' failed verification: artifact '"
                + artifact.getFileName() + "'").contains("hint: ");

        ArcaRun restore = ArcaRun.of("restore", "--repo", repo.toString(), id, "--to", url("restored_corrupt"));
        assertThat(restore.exit()).as(restore.toString()).isEqualTo(15);
        assertThat(restore.err()).contains(artifact.getFileName().toString());
    }
}

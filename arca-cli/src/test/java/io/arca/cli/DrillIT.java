package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore drills end to end: a drill passes on a good backup in an ephemeral cluster and in a
 * scratch database on a server; it fails with exit 15 and a precise message when rows, a table or
 * the migration version disagree with the manifest or a user check fails; the evidence is written
 * both ways; and no cluster process or directory, or scratch database, is left behind, also when
 * the drill fails or is interrupted.
 */
class DrillIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    @TempDir
    static Path shared;
    static String source;
    static Path repo;

    @TempDir
    Path dir;
    private Set<Path> clustersBefore;

    @BeforeAll
    static void backUp() throws Exception {
        source = PG.createDatabase("drillsrc");
        try (Connection c = PG.connect(source)) {
            SampleDataset.load(c);
            SampleDataset.loadBulk(c, 200_000);
            SampleDataset.installMigrationTable(c, "flyway", "7");
        }
        repo = shared.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        ArcaRun b = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), source));
        assertThat(b.exit()).as(b.toString()).isZero();
    }

    @BeforeEach
    void rememberClusters() throws IOException {
        clustersBefore = clusterDirectories();
    }

    @Test
    void passesOnAGoodBackupAndKeepsTheEvidence() throws Exception {
        Path r = copyOfRepository(m -> { });
        ArcaRun drill = ArcaRun.of("drill", "--repo", r.toString(), "--check", "select count(*) from app.bulk",
                "--expect", ">=200000", "--rto", "4h", "--output", "json");
        assertThat(drill.exit()).as(drill.toString()).isZero();
        JsonNode d = JSON.readTree(drill.out());
        assertThat(d.get("verdict").asText()).isEqualTo("pass");
        assertThat(d.get("scratch").get("kind").asText()).isEqualTo("ephemeral-cluster");
        assertThat(d.get("rtoMillis").asLong()).isPositive();
        assertThat(d.get("rtoTarget").asText()).isEqualTo("4h");
        assertThat(d.get("migration").get("ok").asBoolean()).isTrue();
        assertThat(d.get("checks").get(0).get("actual").asText()).isEqualTo("200000");
        JsonNode bulk = find(d.get("tables"), "bulk");
        assertThat(bulk.get("expectedRows").asLong()).isEqualTo(200_000);
        assertThat(bulk.get("actualRows").asLong()).isEqualTo(200_000);
        assertThat(d.get("tables")).allSatisfy(t -> assertThat(t.get("ok").asBoolean()).isTrue());
        assertThat(evidence(r)).hasSize(1);
        assertThat(JSON.readTree(Files.readString(evidence(r).get(0))).get("drillId").asText())
                .isEqualTo(d.get("drillId").asText());
        assertNothingLeft();

        ArcaRun markdown = ArcaRun.of("drill", "latest", "--repo", r.toString(), "--report", "markdown");
        assertThat(markdown.exit()).as(markdown.toString()).isZero();
        assertThat(markdown.out()).startsWith("# Restore drill ").contains("| Verdict | **PASS** |")
                .contains("| app.bulk | 200000 | 200000 | ok |");
        assertThat(evidence(r)).hasSize(2);
        assertNothingLeft();
    }

    @Test
    void runsInAScratchDatabaseOnAServerAndDropsIt() throws Exception {
        Path r = copyOfRepository(m -> { });
        ArcaRun drill = ArcaRun.of("drill", "--repo", r.toString(), "--scratch", ArcaRun.url(PG.cluster(), "postgres"));
        assertThat(drill.exit()).as(drill.toString()).isZero();
        assertThat(drill.out()).contains("verdict     PASS").contains("on 127.0.0.1:" + PG.cluster().port());
        assertThat(databases()).noneMatch(n -> n.startsWith("arca_drill_"));
    }

    @Test
    void missingRowsFailWithExit15NamingTheTable() throws Exception {
        Path r = copyOfRepository(m -> setRows(m, "bulk", 200_001));
        ArcaRun drill = ArcaRun.of("drill", "--repo", r.toString());
        assertThat(drill.exit()).as(drill.toString()).isEqualTo(15);
        assertThat(drill.err()).contains("table app.bulk has 200000 rows, the backup recorded 200001");
        assertFailedEvidence(r, "app.bulk has 200000 rows");
        assertNothingLeft();
    }

    @Test
    void aMissingTableFails() throws Exception {
        Path r = copyOfRepository(m -> ((ArrayNode) database(m).get("tables"))
                .addObject().put("schema", "app").put("name", "ledger").put("rows", 5));
        ArcaRun drill = ArcaRun.of("drill", "--repo", r.toString());
        assertThat(drill.exit()).as(drill.toString()).isEqualTo(15);
        assertThat(drill.err()).contains("table app.ledger is missing (the backup recorded 5 rows)");
        assertFailedEvidence(r, "app.ledger is missing");
    }

    @Test
    void aTableTheManifestDoesNotListFails() throws Exception {
        Path r = copyOfRepository(m -> {
            ArrayNode tables = (ArrayNode) database(m).get("tables");
            for (int i = 0; i < tables.size(); i++) {
                if (tables.get(i).get("name").asText().equals("bulk")) {
                    tables.remove(i);
                    return;
                }
            }
        });
        ArcaRun drill = ArcaRun.of("drill", "--repo", r.toString());
        assertThat(drill.exit()).as(drill.toString()).isEqualTo(15);
        assertThat(drill.err()).contains("table app.bulk is not in the backup's manifest (200000 rows)");
    }

    @Test
    void aDifferentMigrationVersionFails() throws Exception {
        Path r = copyOfRepository(m -> ((ObjectNode) database(m).get("migration")).put("version", "8"));
        ArcaRun drill = ArcaRun.of("drill", "--repo", r.toString());
        assertThat(drill.exit()).as(drill.toString()).isEqualTo(15);
        assertThat(drill.err()).contains("migration version is flyway 7, the backup recorded flyway 8");
        assertFailedEvidence(r, "migration version");
    }

    @Test
    void aFailingUserCheckFails() throws Exception {
        Path r = copyOfRepository(m -> { });
        Path checks = Files.writeString(dir.resolve("checks.json"),
                "[{\"sql\": \"select count(*) from app.bulk where id < 0\", \"expect\": \">0\"}]");
        ArcaRun drill = ArcaRun.of("drill", "--repo", r.toString(), "--checks-file", checks.toString(),
                "--check", "select 1", "--expect", "1");
        assertThat(drill.exit()).as(drill.toString()).isEqualTo(15);
        assertThat(drill.err()).contains("check 'select count(*) from app.bulk where id < 0' returned 0, expected >0");
        JsonNode d = assertFailedEvidence(r, "returned 0");
        assertThat(d.get("checks")).hasSize(2);
        assertThat(d.get("checks").get(0).get("ok").asBoolean()).isTrue();
        assertNothingLeft();
    }

    @Test
    void badInputIsRefusedBeforeAnythingStarts() throws Exception {
        Path r = copyOfRepository(m -> { });
        ArcaRun unpaired = ArcaRun.of("drill", "--repo", r.toString(), "--check", "select 1");
        assertThat(unpaired.exit()).isEqualTo(2);
        assertThat(unpaired.err()).contains("each --check needs an --expect");
        ArcaRun badExpect = ArcaRun.of("drill", "--repo", r.toString(), "--check", "select 1", "--expect", ">abc");
        assertThat(badExpect.exit()).isEqualTo(2);
        ArcaRun badRto = ArcaRun.of("drill", "--repo", r.toString(), "--rto", "soon");
        assertThat(badRto.exit()).isEqualTo(2);
        assertThat(evidence(r)).isEmpty();
        assertNothingLeft();
    }

    @Test
    void anInterruptedDrillLeavesNoClusterBehind() throws Exception {
        Path r = copyOfRepository(m -> { });
        Path log = dir.resolve("drill.log");
        Process p = ArcaProcess.start(Map.of(), log, "drill", "--repo", r.toString(), "--verbose");
        // wait until the scratch cluster exists and the restore runs, then press Ctrl-C (SIGTERM here)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("restoring backup") && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(log)).contains("restoring backup");
        assertThat(clusterDirectories()).hasSizeGreaterThan(clustersBefore.size());
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertNothingLeft();
    }

    private void assertNothingLeft() throws Exception {
        Set<Path> now = clusterDirectories();
        now.removeAll(clustersBefore);
        assertThat(now).as("cluster directories left behind").isEmpty();
        List<String> postgres = ProcessHandle.allProcesses()
                .map(h -> h.info().commandLine().orElse(""))
                .filter(c -> c.contains("postgres") && c.contains("arca-pg-"))
                .filter(c -> clustersBefore.stream().noneMatch(b -> c.contains(b.toString())))
                .toList();
        assertThat(postgres).as("postgres processes left behind").isEmpty();
    }

    private static Set<Path> clusterDirectories() throws IOException {
        try (Stream<Path> s = Files.list(TMP)) {
            return s.filter(p -> p.getFileName().toString().startsWith("arca-pg-")).collect(Collectors.toSet());
        }
    }

    /** A copy of the repository with its one manifest changed by {@code edit}. */
    private Path copyOfRepository(Consumer<ObjectNode> edit) throws IOException {
        Path copy = TestTrees.copy(repo, dir.resolve("repo"));
        Path manifest;
        try (Stream<Path> s = Files.walk(copy.resolve("backups"))) {
            manifest = s.filter(p -> p.endsWith("manifest.json")).findFirst().orElseThrow();
        }
        ObjectNode m = (ObjectNode) JSON.readTree(Files.readString(manifest));
        edit.accept(m);
        Files.writeString(manifest, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
        return copy;
    }

    private static void setRows(ObjectNode manifest, String table, long rows) {
        ((ObjectNode) find(database(manifest).get("tables"), table)).put("rows", rows);
    }

    /** The database details in a format 2 manifest's PostgreSQL section. */
    private static JsonNode database(ObjectNode manifest) {
        return manifest.get("sections").get(0).get("details").get("database");
    }

    private static JsonNode find(JsonNode tables, String name) {
        for (JsonNode t : tables) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no table " + name + " in " + tables);
    }

    private static List<Path> evidence(Path repository) throws IOException {
        if (!Files.isDirectory(repository.resolve("drills"))) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(repository.resolve("drills"))) {
            return s.filter(p -> p.toString().endsWith(".json")).toList();
        }
    }

    private static JsonNode assertFailedEvidence(Path repository, String failure) throws IOException {
        List<Path> files = evidence(repository);
        assertThat(files).hasSize(1);
        JsonNode d = JSON.readTree(Files.readString(files.get(0)));
        assertThat(d.get("verdict").asText()).isEqualTo("fail");
        assertThat(d.get("failure").asText()).contains(failure);
        return d;
    }

    private static List<String> databases() throws SQLException {
        try (Connection c = PG.connect("postgres");
                ResultSet rs = c.createStatement().executeQuery("select datname from pg_database")) {
            List<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}

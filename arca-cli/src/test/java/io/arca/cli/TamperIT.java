package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tampered or damaged repository as an attacker or a broken disk leaves it: every path that
 * applies a backup refuses it with exit 15 naming the damage, never restores the wrong data with
 * exit 0, and prune never removes what it cannot trust (issue 15, items 1 to 4 and 13).
 *
 * <p>Two backups, A then B, of one table whose values change to others of the same length, without
 * compression: their artifacts have the same size and different content.
 */
class TamperIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    static String source;
    static Path base;
    static String idA;
    static String idB;
    static String valueA;
    static String valueB;

    @TempDir
    Path dir;

    @BeforeAll
    static void twoBackups() throws Exception {
        long seed = System.nanoTime();
        System.out.println("TamperIT seed " + seed);
        Random random = new Random(seed);
        source = PG.createDatabase("tampersrc");
        String a = word(random);
        String b = word(random);
        while (b.equals(a)) {
            b = word(random);
        }
        valueA = a;
        valueB = b;
        try (Connection c = PG.connect(source); Statement st = c.createStatement()) {
            st.execute("create table ledger (id int primary key, v text not null)");
            st.execute("create table notes (id int primary key, note text)");
            st.execute("insert into ledger select g, '" + a + "' from generate_series(1, 20000) g");
            st.execute("insert into notes select g, 'n' || g from generate_series(1, 3000) g");
        }
        base = shared.resolve("base");
        assertThat(ArcaRun.of("init", "--repo", base.toString()).exit()).isZero();
        idA = backup(base);
        try (Connection c = PG.connect(source); Statement st = c.createStatement()) {
            st.execute("update ledger set v = '" + b + "'");
        }
        idB = backup(base);
    }

    private static String word(Random random) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    private static String backup(Path repo, String... extra) throws IOException {
        ArcaRun b = ArcaRun.of(Stream.concat(Stream.of("backup", "--repo", repo.toString(), "--db",
                ArcaRun.url(PG.cluster(), source), "--compression", "none", "--output", "json"), Stream.of(extra))
                .toArray(String[]::new));
        assertThat(b.exit()).as(b.toString()).isZero();
        return JSON.readTree(b.out()).get("id").asText();
    }

    @Test
    void swappedSameSizeArtifactsFailParallelRestoreAndDrill() throws Exception {
        Path repo = copy(base);
        Path artifactA = dumpOf(repo, idA);
        Path artifactB = dumpOf(repo, idB);
        assertThat(Files.size(artifactA)).as("same-sized artifacts").isEqualTo(Files.size(artifactB));
        assertThat(Files.mismatch(artifactA, artifactB)).isNotNegative();
        Files.copy(artifactA, artifactB, StandardCopyOption.REPLACE_EXISTING);

        for (String jobs : List.of("2", "1")) {
            String db = "swapped_j" + jobs;
            ArcaRun r = ArcaRun.of("restore", idB, "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(), db),
                    "--jobs", jobs);
            assertThat(r.exit()).as(r.toString()).isEqualTo(15);
            assertThat(r.err()).contains(artifactB.getFileName().toString())
                    .contains("the newest backup before '" + idB + "' that verifies is '" + idA + "'");
            assertThat(databases()).as("the database the failed restore created is dropped").doesNotContain(db);
        }
        // a table restore reads only that table's block: the whole artifact is still checked
        ArcaRun table = ArcaRun.of("restore", idB, "--repo", repo.toString(), "--to",
                ArcaRun.url(PG.cluster(), "swapped_table"), "--table", "ledger");
        assertThat(table.exit()).as(table.toString()).isEqualTo(15);
        assertThat(databases()).doesNotContain("swapped_table");

        ArcaRun verify = ArcaRun.of("verify", "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
        assertThat(verify.err()).contains(artifactB.getFileName().toString())
                .contains("the newest backup before it that verifies is '" + idA + "'");

        ArcaRun drill = ArcaRun.of("drill", idB, "--repo", repo.toString(), "--jobs", "2", "--scratch",
                ArcaRun.url(PG.cluster(), "postgres"));
        assertThat(drill.exit()).as(drill.toString()).isEqualTo(15);
        JsonNode evidence = onlyDrill(repo);
        assertThat(evidence.get("verdict").asText()).isEqualTo("fail");
        assertThat(evidence.get("failure").asText()).contains(artifactB.getFileName().toString());
        assertThat(databases()).noneMatch(n -> n.startsWith("arca_drill_"));

        Path offsite = dir.resolve("offsite");
        assertThat(ArcaRun.of("init", "--repo", offsite.toString()).exit()).isZero();
        ArcaRun copy = ArcaRun.of("copy", idB, "--from", repo.toString(), "--to", offsite.toString());
        assertThat(copy.exit()).as(copy.toString()).isEqualTo(15);
        assertThat(ArcaRun.of("list", "--repo", offsite.toString()).out()).doesNotContain(idB);
    }

    @Test
    void anEditedStoredSha256FailsEveryRestorePath() throws Exception {
        Path repo = copy(base);
        editManifest(repo, idB, m -> {
            ObjectNode artifact = (ObjectNode) m.get("artifacts").get(0);
            artifact.put("storedSha256", flip(artifact.get("storedSha256").asText()));
        });
        for (String jobs : List.of("2", "1")) {
            ArcaRun r = ArcaRun.of("restore", idB, "--repo", repo.toString(), "--to",
                    ArcaRun.url(PG.cluster(), "edited_j" + jobs), "--jobs", jobs);
            assertThat(r.exit()).as(r.toString()).isEqualTo(15);
            assertThat(r.err()).contains("sha-256");
            assertThat(databases()).doesNotContain("edited_j" + jobs);
        }
        ArcaRun drill = ArcaRun.of("drill", idB, "--repo", repo.toString(), "--scratch", ArcaRun.url(PG.cluster(), "postgres"));
        assertThat(drill.exit()).as(drill.toString()).isEqualTo(15);
        assertThat(onlyDrill(repo).get("verdict").asText()).isEqualTo("fail");
    }

    @Test
    void anEditedStoredSha256OfAnEncryptedBackupFailsParallelRestore() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        ArcaRun gen = ArcaRun.of("key", "generate", "--out", keys.resolve("ops").toString(), "--no-passphrase");
        assertThat(gen.exit()).as(gen.toString()).isZero();
        Path repo = dir.resolve("encrypted");
        assertThat(ArcaRun.of("init", "--repo", repo.toString(), "--encrypt-to", keys.resolve("ops.pub.asc").toString())
                .exit()).isZero();
        String id = backup(repo, "--encrypt-to", keys.resolve("ops.pub.asc").toString());
        editManifest(repo, id, m -> {
            ObjectNode artifact = (ObjectNode) m.get("artifacts").get(0);
            artifact.put("storedSha256", flip(artifact.get("storedSha256").asText()));
        });
        String key = keys.resolve("ops.key.asc").toString();
        ArcaRun r = ArcaRun.of("restore", id, "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(), "enc_edited"),
                "--jobs", "2", "--private-key", key);
        assertThat(r.exit()).as(r.toString()).isEqualTo(15);
        assertThat(r.err()).contains("sha-256");
        assertThat(databases()).doesNotContain("enc_edited");
        ArcaRun verify = ArcaRun.of("verify", id, "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
    }

    @Test
    void aManifestNamingAnotherBackupIsDamagedAndPruneKeepsIt() throws Exception {
        Path repo = copy(base);
        Path folderB = folder(repo, idB);
        Files.copy(folder(repo, idA).resolve("manifest.json"), folderB.resolve("manifest.json"),
                StandardCopyOption.REPLACE_EXISTING);

        ArcaRun prune = ArcaRun.of("prune", "--repo", repo.toString(), "--keep-last", "1");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(folderB.resolve("manifest.json")).exists();
        assertThat(dumpOf(repo, idB)).exists();
        assertThat(dumpOf(repo, idA)).exists();

        ArcaRun verify = ArcaRun.of("verify", idB, "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
        assertThat(verify.err()).contains(idB).contains(idA);
        ArcaRun all = ArcaRun.of("verify", "--all", "--repo", repo.toString());
        assertThat(all.exit()).as(all.toString()).isEqualTo(15);
        ArcaRun list = ArcaRun.of("list", "--repo", repo.toString());
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains(idB).contains("DAMAGED");
        assertThat(list.err()).contains(idB).contains("damaged");
    }

    @Test
    void anUnreadableManifestFailsVerifyAndLatestNamesTheNewestThatVerifies() throws Exception {
        Path repo = copy(base);
        Files.writeString(folder(repo, idB).resolve("manifest.json"), "{ not json");

        ArcaRun verify = ArcaRun.of("verify", "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
        assertThat(verify.err()).contains(idB).contains(idA);
        ArcaRun all = ArcaRun.of("verify", "--all", "--repo", repo.toString());
        assertThat(all.exit()).as(all.toString()).isEqualTo(15);
        assertThat(all.out()).contains(idB).contains("backup " + idA + " verified");
        assertThat(ArcaRun.of("verify", idA, "--repo", repo.toString()).exit()).isZero();

        ArcaRun latest = ArcaRun.of("restore", "latest", "--repo", repo.toString(), "--to",
                ArcaRun.url(PG.cluster(), "unread_latest"));
        assertThat(latest.exit()).as(latest.toString()).isEqualTo(15);
        assertThat(latest.err()).contains(idB).contains(idA).contains("latest~1");
        assertThat(databases()).doesNotContain("unread_latest");

        ArcaRun previous = ArcaRun.of("restore", "latest~1", "--repo", repo.toString(), "--to",
                ArcaRun.url(PG.cluster(), "unread_previous"));
        assertThat(previous.exit()).as(previous.toString()).isZero();
        assertThat(previous.out()).contains(idA);
    }

    @Test
    void latestTildeAndBeforeSelectOlderBackups() throws Exception {
        String startedB = JSON.readTree(Files.readString(folder(base, idB).resolve("manifest.json")))
                .get("startedAt").asText();
        ArcaRun before = ArcaRun.of("restore", "latest", "--before", startedB, "--repo", base.toString(), "--to",
                ArcaRun.url(PG.cluster(), "before_b"), "--jobs", "2");
        assertThat(before.exit()).as(before.toString()).isZero();
        assertThat(before.out()).contains("restored " + idA);
        assertThat(valuesOf("before_b")).containsExactly(valueA);
        ArcaRun tilde = ArcaRun.of("show", "latest~1", "--repo", base.toString());
        assertThat(tilde.exit()).as(tilde.toString()).isZero();
        assertThat(tilde.out()).contains(idA);
        ArcaRun none = ArcaRun.of("restore", "latest~2", "--repo", base.toString(), "--to",
                ArcaRun.url(PG.cluster(), "none_such"));
        assertThat(none.exit()).as(none.toString()).isEqualTo(1);
        ArcaRun withId = ArcaRun.of("restore", idA, "--before", startedB, "--repo", base.toString(), "--to",
                ArcaRun.url(PG.cluster(), "none_such"));
        assertThat(withId.exit()).as(withId.toString()).isEqualTo(2);
    }

    @Test
    void anUnknownFormatVersionIsRefused() throws Exception {
        Path repo = copy(base);
        editManifest(repo, idB, m -> m.put("formatVersion", 99));
        ArcaRun verify = ArcaRun.of("verify", idB, "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(10);
        assertThat(verify.err()).contains("manifest format 99");
        ArcaRun latest = ArcaRun.of("restore", "latest", "--repo", repo.toString(), "--to",
                ArcaRun.url(PG.cluster(), "format_latest"));
        assertThat(latest.exit()).as("latest is never silently an older backup: " + latest).isNotZero();
        assertThat(databases()).doesNotContain("format_latest");

        editManifest(repo, idB, m -> m.put("formatVersion", 0));
        ArcaRun zero = ArcaRun.of("verify", idB, "--repo", repo.toString());
        assertThat(zero.exit()).as(zero.toString()).isEqualTo(15);
        assertThat(zero.err()).contains("manifest format 0");
    }

    @Test
    void artifactPathsOutsideTheBackupFolderAreDamage() throws Exception {
        for (String path : List.of("../../x", "/etc/passwd")) {
            Path repo = copy(base);
            editManifest(repo, idB, m -> ((ObjectNode) m.get("artifacts").get(0)).put("file", path));
            ArcaRun verify = ArcaRun.of("verify", idB, "--repo", repo.toString());
            assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
            assertThat(verify.err()).contains(path).contains("not a path inside the backup's folder");
            ArcaRun restore = ArcaRun.of("restore", idB, "--repo", repo.toString(), "--to",
                    ArcaRun.url(PG.cluster(), "escape"));
            assertThat(restore.exit()).as(restore.toString()).isEqualTo(15);
            Files.walk(repo).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void directoryFormatBackupsAreListedAndAnInterruptedOneIsPrunedAfterTheGrace() throws Exception {
        Path repo = dir.resolve("dirformat");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        String id = backup(repo, "--format", "directory");
        assertThat(Files.isDirectory(folder(repo, id).resolve(source + ".dir"))).isTrue();

        ArcaRun list = ArcaRun.of("list", "--repo", repo.toString());
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains(id);
        assertThat(list.err()).doesNotContain("incomplete");

        // what a backup killed before its manifest leaves, two days ago
        String old = "20200101T000000Z-0badc0de";
        Path interrupted = repo.resolve("backups/2020/01/01/" + old);
        TestTrees.copy(folder(repo, id), interrupted, p -> !p.getFileName().toString().equals("manifest.json"));
        ArcaRun listed = ArcaRun.of("list", "--repo", repo.toString());
        assertThat(listed.err()).contains("1 incomplete backup folder");
        ArcaRun prune = ArcaRun.of("prune", "--repo", repo.toString(), "--keep-last", "1", "--output", "json");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(interrupted).doesNotExist();
        assertThat(folder(repo, id).resolve("manifest.json")).exists();
        ArcaRun restore = ArcaRun.of("restore", id, "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(), "dirfmt"),
                "--jobs", "2");
        assertThat(restore.exit()).as(restore.toString()).isZero();

        // a data file whose stored SHA-256 differs from the manifest: the parallel restore fails and drops its database
        editManifest(repo, id, m -> {
            for (JsonNode a : m.get("artifacts")) {
                if (a.get("name").asText().endsWith(".dat") && a.get("size").asLong() > 100_000) {
                    ((ObjectNode) a).put("storedSha256", flip(a.get("storedSha256").asText()));
                }
            }
        });
        ArcaRun damaged = ArcaRun.of("restore", id, "--repo", repo.toString(), "--to",
                ArcaRun.url(PG.cluster(), "dirfmt_damaged"), "--jobs", "2");
        assertThat(damaged.exit()).as(damaged.toString()).isEqualTo(15);
        assertThat(damaged.err()).contains("sha-256");
        assertThat(databases()).doesNotContain("dirfmt_damaged");
    }

    // --- setup helpers

    private Path copy(Path repo) throws IOException {
        return TestTrees.copy(repo, Files.createTempDirectory(dir, "repo"));
    }

    private static Path folder(Path repo, String id) {
        return repo.resolve("backups/" + id.substring(0, 4) + "/" + id.substring(4, 6) + "/" + id.substring(6, 8) + "/" + id);
    }

    private static Path dumpOf(Path repo, String id) throws IOException {
        try (Stream<Path> s = Files.list(folder(repo, id))) {
            return s.filter(p -> p.getFileName().toString().startsWith(source + ".dump")).findFirst().orElseThrow();
        }
    }

    private static void editManifest(Path repo, String id, Consumer<ObjectNode> edit) throws IOException {
        Path manifest = folder(repo, id).resolve("manifest.json");
        ObjectNode m = (ObjectNode) JSON.readTree(Files.readString(manifest));
        edit.accept(m);
        Files.writeString(manifest, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
    }

    private static String flip(String hex) {
        char c = hex.charAt(10);
        return hex.substring(0, 10) + (c == '0' ? '1' : '0') + hex.substring(11);
    }

    private static JsonNode onlyDrill(Path repo) throws IOException {
        try (Stream<Path> s = Files.walk(repo.resolve("drills"))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".json")).toList();
            assertThat(files).hasSize(1);
            return JSON.readTree(Files.readString(files.get(0)));
        }
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

    private static List<String> valuesOf(String db) throws SQLException {
        try (Connection c = PG.connect(db);
                ResultSet rs = c.createStatement().executeQuery("select distinct v from ledger order by 1")) {
            List<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} recounts the rows of every table in a custom-format archive from its own data
 * blocks and compares them with the manifest: an edited row count, and an archive that holds
 * other rows than the manifest says (with sizes and digests made to match), fail with exit 15
 * naming the table and both counts; so does a directory backup, recounted from its data files.
 * Plain backups, whose data is not recounted, say so.
 */
class RowCountTamperIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String source;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadSource() {
        source = PG.createDatabase("countsrc");
        PG.cluster().execute(source, "create table items (id int primary key, name text)",
                "insert into items select g, 'item ' || g from generate_series(1, 100) g",
                "create table empty_one (id int)");
    }

    @Test
    void anEditedRowCountFailsVerifyNamingTheTable() throws Exception {
        Path repo = init();
        String id = backup(repo);
        ArcaRun ok = run("verify", id, "--repo", repo.toString());
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("row counts");

        ObjectNode manifest = manifest(repo, id);
        for (JsonNode t : manifest.get("sections").get(0).get("details").get("database").get("tables")) {
            if (t.get("name").asText().equals("items")) {
                assertThat(t.get("rows").asLong()).isEqualTo(100);
                ((ObjectNode) t).put("rows", 99);
            }
        }
        writeManifest(repo, id, manifest);

        ArcaRun verify = run("verify", id, "--repo", repo.toString());

        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
        assertThat(verify.err()).contains("backup '" + id + "' failed verification")
                .contains("table public.items: the manifest records 99 rows, the archive holds 100");
        assertThat(verify.out()).contains("FAIL");
    }

    @Test
    void anArchiveWithOtherRowsThanTheManifestFailsVerify() throws Exception {
        Path repo = init();
        String older = backup(repo);
        PG.cluster().execute(source, "insert into items select g, 'item ' || g from generate_series(101, 150) g");
        String newer;
        try {
            newer = backup(repo);
        } finally {
            PG.cluster().execute(source, "delete from items where id > 100");
        }
        // the newer archive under the older manifest, with the artifact's sizes and digests made to match
        ObjectNode olderManifest = manifest(repo, older);
        ObjectNode newerManifest = manifest(repo, newer);
        String file = olderManifest.get("artifacts").get(0).get("file").asText();
        assertThat(newerManifest.get("artifacts").get(0).get("file").asText()).isEqualTo(file);
        Files.copy(folder(repo, newer).resolve(file), folder(repo, older).resolve(file),
                StandardCopyOption.REPLACE_EXISTING);
        olderManifest.withArray("artifacts").set(0, newerManifest.get("artifacts").get(0));
        writeManifest(repo, older, olderManifest);

        ArcaRun verify = run("verify", older, "--repo", repo.toString());

        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
        assertThat(verify.err()).contains("table public.items: the manifest records 100 rows, the archive holds 150");
        assertThat(run("verify", newer, "--repo", repo.toString()).exit()).isZero();
    }

    @Test
    void directoryBackupsAreRecountedFromTheirDataFiles() throws Exception {
        Path repo = init();
        String id = backup(repo, "--format", "directory", "--jobs", "2");
        ArcaRun ok = run("verify", id, "--repo", repo.toString());
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).containsPattern("toc.dat.*pg_restore --list, row counts\\)");

        ObjectNode manifest = manifest(repo, id);
        for (JsonNode t : manifest.get("sections").get(0).get("details").get("database").get("tables")) {
            if (t.get("name").asText().equals("empty_one")) {
                assertThat(t.get("rows").asLong()).isZero();
                ((ObjectNode) t).put("rows", 7);
            }
        }
        writeManifest(repo, id, manifest);

        ArcaRun verify = run("verify", id, "--repo", repo.toString());
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
        assertThat(verify.err()).contains("table public.empty_one: the manifest records 7 rows, the archive holds 0");
    }

    @Test
    void plainBackupsSayTheirRowsAreNotRecounted() {
        Path repo = init();
        String plain = backup(repo, "--format", "plain");

        ArcaRun p = run("verify", plain, "--repo", repo.toString());
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(p.out()).contains("row counts not recounted in plain format");
    }

    private Path init() {
        Path repo = dir.resolve("repo");
        ArcaRun r = run("init", "--repo", repo.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return repo;
    }

    private static String backup(Path repo, String... extra) {
        ArcaRun r = run(Stream.concat(Stream.of("backup", "--repo", repo.toString(), "--db",
                ArcaRun.url(PG.cluster(), source), "-o", "json"), Stream.of(extra)).toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return json(r.out()).get("id").asText();
    }

    private static ArcaRun run(String... args) {
        return ArcaRun.of(args);
    }

    /** {@code backups/YYYY/MM/DD/<id>}. */
    private static Path folder(Path repo, String id) {
        return repo.resolve("backups").resolve(id.substring(0, 4)).resolve(id.substring(4, 6))
                .resolve(id.substring(6, 8)).resolve(id);
    }

    private static ObjectNode manifest(Path repo, String id) throws IOException {
        return (ObjectNode) RepositoryJson.mapper().readTree(Files.readString(folder(repo, id).resolve("manifest.json")));
    }

    private static void writeManifest(Path repo, String id, ObjectNode manifest) throws IOException {
        Files.writeString(folder(repo, id).resolve("manifest.json"), RepositoryJson.mapper().writeValueAsString(manifest));
    }

    private static JsonNode json(String text) {
        try {
            return RepositoryJson.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}

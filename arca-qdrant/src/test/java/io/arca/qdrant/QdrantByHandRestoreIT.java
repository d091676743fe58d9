package io.arca.qdrant;

import io.arca.testkit.docs.DocBlocks;

import static io.arca.qdrant.QdrantTesting.backup;
import static io.arca.qdrant.QdrantTesting.options;
import static io.arca.qdrant.QdrantTesting.repository;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.Repository;
import io.arca.testkit.qdrant.QdrantServer;
import io.arca.testkit.qdrant.QdrantTestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the by-hand restore of {@code docs/repository-format.md} exactly as written, against a real backup:
 * {@code sha256sum}, {@code zstd -d} (and {@code gpg --decrypt}), then {@code curl} uploading the
 * snapshot to Qdrant (the stand-in, or a real one with {@code ARCA_TEST_QDRANT_URL}); the
 * collection comes back with every point.
 */
class QdrantByHandRestoreIT {
    private static QdrantServer qdrant;
    private static QdrantTestClient client;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        for (String tool : List.of("curl", "zstd", "gpg", "sha256sum", "bash")) {
            assertThat(onPath(tool)).as(tool + " is needed for the by-hand restore: apt-get install curl zstd gnupg"
                    + " coreutils bash (.ci/run installs them)").isTrue();
        }
        qdrant = QdrantServer.start();
        client = new QdrantTestClient(qdrant);
    }

    @AfterAll
    static void stop() {
        qdrant.close();
    }

    @ParameterizedTest(name = "encrypted {0}")
    @ValueSource(booleans = {false, true})
    void theDocumentedCommandsRestoreTheCollection(boolean encrypted) throws Exception {
        String c = QdrantTestClient.uniqueName("by-hand");
        long seed = new Random().nextLong();
        System.out.println("seed " + seed);
        try {
            client.createCollection(c, 4);
            List<JsonNode> points = client.seed(c, 4, 150, seed);
            Repository repo = repository(dir.resolve("repo"), encrypted);
            Map<String, String> env = qdrant.apiKey() == null ? Map.of()
                    : Map.of(QdrantOptions.API_KEY_ENV, qdrant.apiKey());
            backup(repo, options(env, "--qdrant", qdrant.url(), "--qdrant-collection", c));
            client.deleteCollection(c);

            Map<String, String> vars = new HashMap<>();
            vars.put("REPO", dir.resolve("repo").toString());
            vars.put("COLLECTION", c);
            vars.put("QDRANT_URL", qdrant.url());
            vars.put("QDRANT_API_KEY", qdrant.apiKey() == null ? "" : qdrant.apiKey());
            if (encrypted) {
                Path home = Files.createDirectories(dir.resolve("gnupg"));
                Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                Path pass = Files.writeString(dir.resolve("passphrase"), new String(QdrantTesting.PASSPHRASE));
                // what a person types at gpg's prompt, given the way scripts give it
                Files.writeString(home.resolve("gpg.conf"), "batch\npinentry-mode loopback\npassphrase-file " + pass + "\n");
                vars.put("GNUPGHOME", home.toString());
            }
            String output = run(encrypted ? "qdrant-by-hand-encrypted" : "qdrant-by-hand", vars);
            assertThat(output).contains("OK");
            assertThat(client.pointsCount(c)).isEqualTo(150);
            List<JsonNode> back = client.retrieve(c, points.stream().map(p -> p.get("id")).toList());
            assertThat(back).hasSize(150);
            assertThat(back.stream().map(p -> p.get("payload")).toList())
                    .containsExactlyInAnyOrderElementsOf(points.stream().map(p -> p.get("payload")).toList());
        } finally {
            client.deleteCollection(c);
            if (encrypted) {
                // a gpg-agent gpg may have started for this home ends with it
                new ProcessBuilder("gpgconf", "--homedir", dir.resolve("gnupg").toString(), "--kill", "all")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            }
        }
    }

    private String run(String marker, Map<String, String> vars) throws IOException, InterruptedException {
        Path work = Files.createDirectories(dir.resolve("work-" + marker));
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c",
                DocBlocks.shell(DocBlocks.REPOSITORY_FORMAT, marker)).directory(work.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(vars);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("the documented commands failed:\n" + output).isZero();
        return output;
    }


    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arca.json} edited by someone who may write to the repository: the encryption requirement
 * dropped, or its recipient swapped for another key. The backups written after that are accepted
 * by {@code backup}, as arca.json is all it has to go by; {@code list} and {@code verify} compare
 * them with the requirement each earlier manifest recorded and flag them, naming fingerprints only.
 */
class EncryptionTamperIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    static Path keys;
    static String source;
    static String ops;
    static String other;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        source = PG.createDatabase("tampersrc");
        PG.cluster().execute(source, "create table secrets (id int primary key, value text)",
                "insert into secrets select g, 'secret ' || g from generate_series(1, 50) g");
        ops = generate("ops");
        other = generate("other");
    }

    @Test
    void aDroppedRequirementAndThePlaintextBackupAfterItAreFlagged() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(run("init", "--repo", repo.toString(), "--encrypt-to", pub("ops")).exit()).isZero();
        String encrypted = backup(repo, "--encrypt-to", pub("ops"));
        ArcaRun clean = run("list", "--repo", repo.toString());
        assertThat(clean.err()).as("an untouched repository has nothing to flag").doesNotContain("warning");

        ObjectNode config = readConfig(repo);
        config.remove("encryption");
        writeConfig(repo, config);
        String plain = backup(repo);

        ArcaRun list = run("list", "--repo", repo.toString());
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.err())
                .contains("warning: arca.json requires no encryption, but backup " + encrypted
                        + " was written when it required encryption to " + ops)
                .contains("warning: backup " + plain + " is not encrypted, but the repository required encryption to "
                        + ops + " (recorded by backup " + encrypted + ")");
        JsonNode rows = json(run("list", "--repo", repo.toString(), "-o", "json").out());
        assertThat(row(rows, plain).get("encryptionWarnings")).hasSize(1);
        assertThat(row(rows, encrypted).has("encryptionWarnings")).isFalse();

        ArcaRun verifyPlain = run("verify", plain, "--repo", repo.toString());
        assertThat(verifyPlain.exit()).as(verifyPlain.toString()).isEqualTo(15);
        assertThat(verifyPlain.err()).contains("backup '" + plain + "' failed verification")
                .contains("is not encrypted, but the repository required encryption to " + ops);
        ArcaRun verifyEncrypted = run("verify", encrypted, "--repo", repo.toString());
        assertThat(verifyEncrypted.exit()).as(verifyEncrypted.toString()).isZero();
        assertThat(verifyEncrypted.err()).contains("warning: arca.json requires no encryption");
        for (ArcaRun r : new ArcaRun[] {list, verifyPlain, verifyEncrypted}) {
            assertThat(r.out() + r.err()).doesNotContain("PGP");
        }
    }

    @Test
    void aSwappedRecipientAndTheBackupEncryptedToItAreFlagged() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(run("init", "--repo", repo.toString(), "--encrypt-to", pub("ops")).exit()).isZero();
        String first = backup(repo, "--encrypt-to", pub("ops"));

        ObjectNode config = readConfig(repo);
        ObjectNode recipient = (ObjectNode) config.get("encryption").get("recipients").get(0);
        recipient.put("fingerprint", other);
        recipient.put("userId", "Ops <ops@example.com>");
        writeConfig(repo, config);
        String foreign = backup(repo, "--encrypt-to", pub("other"));

        ArcaRun list = run("list", "--repo", repo.toString());
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.err())
                .contains("warning: arca.json requires encryption to " + other + ", but backup " + first
                        + " was written when it required encryption to " + ops)
                .contains("warning: backup " + foreign + " is encrypted to " + other
                        + ", but the repository required encryption to " + ops);

        ArcaRun verify = run("verify", foreign, "--repo", repo.toString(), "--private-key", key("other"));
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
        assertThat(verify.err()).contains("backup '" + foreign + "' failed verification")
                .contains("is encrypted to " + other);
        assertThat(run("verify", first, "--repo", repo.toString()).exit()).isZero();
        // putting arca.json back does not hide the backup that was written meanwhile
        recipient.put("fingerprint", ops);
        writeConfig(repo, config);
        ArcaRun after = run("list", "--repo", repo.toString());
        assertThat(after.err()).doesNotContain("warning: arca.json").contains("warning: backup " + foreign);
    }

    private static String generate(String name) throws IOException {
        ArcaRun gen = run("key", "generate", "--out", keys.resolve(name).toString(), "--no-passphrase", "-o", "json");
        assertThat(gen.exit()).as(gen.toString()).isZero();
        return json(gen.out()).get("fingerprint").asText();
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

    private static JsonNode row(JsonNode rows, String id) {
        for (JsonNode r : (ArrayNode) rows) {
            if (r.get("id").asText().equals(id)) {
                return r;
            }
        }
        throw new AssertionError("no row " + id + " in " + rows);
    }

    private static ObjectNode readConfig(Path repo) throws IOException {
        return (ObjectNode) RepositoryJson.mapper().readTree(Files.readString(repo.resolve("arca.json")));
    }

    private static void writeConfig(Path repo, ObjectNode config) throws IOException {
        Files.writeString(repo.resolve("arca.json"), RepositoryJson.mapper().writeValueAsString(config));
    }

    private static String pub(String name) {
        return keys.resolve(name + ".pub.asc").toString();
    }

    private static String key(String name) {
        return keys.resolve(name + ".key.asc").toString();
    }

    private static JsonNode json(String text) {
        try {
            return RepositoryJson.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}

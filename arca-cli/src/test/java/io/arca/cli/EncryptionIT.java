package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.crypto.GpgHome;
import io.arca.testkit.pg.DatabaseAssertions;
import io.arca.testkit.pg.DatabaseFingerprint;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Encrypted repositories end to end through the CLI: keys from 'arca key generate' and from files
 * and the environment, what is refused (exit 12 and 15) and that nothing is written then, restores
 * of every format serial and parallel, verify with and without the private key, and artifacts that
 * gpg re-encrypted.
 */
class EncryptionIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path keys;
    static String source;
    static DatabaseFingerprint expected;
    static String fingerprint;
    static String otherFingerprint;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        source = PG.createDatabase("encsrc");
        try (Connection c = PG.connect(source)) {
            SampleDataset.load(c);
            expected = DatabaseFingerprint.of(c);
        }
        Files.writeString(keys.resolve("key-pass"), "key passphrase\n");
        Files.writeString(keys.resolve("repo-pass"), "repository passphrase\n");
        ArcaRun gen = ArcaRun.of("key", "generate", "--out", keys.resolve("ops").toString(), "--name",
                "Ops <ops@example.com>", "--passphrase-file", keys.resolve("key-pass").toString(), "--output", "json");
        assertThat(gen.exit()).as(gen.toString()).isZero();
        fingerprint = JSON.readTree(gen.out()).get("fingerprint").asText();
        ArcaRun other = ArcaRun.of("key", "generate", "--out", keys.resolve("other").toString(), "--no-passphrase");
        assertThat(other.exit()).as(other.toString()).isZero();
        otherFingerprint = other.out().lines().findFirst().orElseThrow().split(" ")[1];
    }

    @Test
    void keyGenerateWritesAnArmoredPairAndNeverOverwrites() throws IOException {
        assertThat(Files.readString(keys.resolve("ops.pub.asc"))).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
        assertThat(Files.readString(keys.resolve("ops.key.asc"))).startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("ops.key.asc"))))
                .isEqualTo("rw-------");
        ArcaRun again = ArcaRun.of("key", "generate", "--out", keys.resolve("ops").toString(), "--no-passphrase");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");
        ArcaRun noPassphrase = ArcaRun.of("key", "generate", "--out", dir.resolve("x").toString());
        assertThat(noPassphrase.exit()).as(noPassphrase.toString()).isEqualTo(2);
        assertThat(noPassphrase.err()).contains("--no-passphrase");
        assertThat(dir.resolve("x.key.asc")).doesNotExist();
    }

    @Test
    void publicKeyRepositoryRoundTripsAndRefusesWhatItShould() throws Exception {
        Path repo = dir.resolve("repo");
        ArcaRun init = ArcaRun.of("init", "--repo", repo.toString(), "--encrypt-to", pub("ops"));
        assertThat(init.exit()).as(init.toString()).isZero();
        assertThat(init.out()).contains("backups are encrypted to " + fingerprint + " (Ops <ops@example.com>)");
        assertThat(Files.readString(repo.resolve("arca.json"))).contains(fingerprint).doesNotContain("BEGIN PGP");

        // no key, another key, a private key, a file that is no key: exit 12, nothing written
        ArcaRun noKey = backup(repo);
        assertThat(noKey.exit()).as(noKey.toString()).isEqualTo(12);
        assertThat(noKey.err()).contains("requires encrypted backups and no key was given").contains(fingerprint);
        ArcaRun wrongKey = backup(repo, "--encrypt-to", pub("other"));
        assertThat(wrongKey.exit()).isEqualTo(12);
        assertThat(wrongKey.err()).contains(otherFingerprint + " is not a recipient");
        ArcaRun privateKey = backup(repo, "--encrypt-to", keys.resolve("other.key.asc").toString());
        assertThat(privateKey.exit()).isEqualTo(12);
        assertThat(privateKey.err()).contains("holds a private key");
        Path notAKey = Files.writeString(dir.resolve("notakey.asc"), "just text\n");
        ArcaRun garbage = backup(repo, "--encrypt-to", notAKey.toString());
        assertThat(garbage.exit()).isEqualTo(12);
        assertThat(garbage.err()).contains("'" + notAKey + "' is not an OpenPGP key");
        assertThat(backupFiles(repo)).isEmpty();

        ArcaRun ok = backup(repo, "--encrypt-to", pub("ops"));
        assertThat(ok.exit()).as(ok.toString()).isZero();
        List<Path> files = backupFiles(repo);
        assertThat(files).filteredOn(f -> !f.getFileName().toString().equals("manifest.json"))
                .isNotEmpty().allMatch(f -> f.toString().endsWith(".zst.gpg"));
        ObjectNode manifest = manifest(repo);
        ObjectNode artifact = (ObjectNode) manifest.get("artifacts").get(0);
        assertThat(artifact.get("codecs").toString()).isEqualTo("[\"zstd:3\",\"openpgp\"]");
        assertThat(artifact.get("encryption").get("recipients").get(0).asText()).isEqualTo(fingerprint);
        assertThat(artifact.get("encryption").get("cipher").asText()).isEqualTo("AES-256");

        // list, show and verify need no private key
        assertThat(ArcaRun.of("list", "--repo", repo.toString()).exit()).isZero();
        ArcaRun show = ArcaRun.of("show", "latest", "--repo", repo.toString());
        assertThat(show.out()).contains("encryption  OpenPGP AES-256 with MDC, to " + fingerprint);
        ArcaRun storedOnly = ArcaRun.of("verify", "--repo", repo.toString());
        assertThat(storedOnly.exit()).as(storedOnly.toString()).isZero();
        assertThat(storedOnly.out()).contains("not decrypted: no key given");
        ArcaRun full = ArcaRun.of("verify", "--repo", repo.toString(), "--private-key", key("ops"),
                "--private-key-passphrase-file", keys.resolve("key-pass").toString());
        assertThat(full.exit()).as(full.toString()).isZero();
        assertThat(full.out()).contains("pg_restore --list").doesNotContain("not decrypted");

        // restores without the right key fail before the target is created
        String target = "enc_target_" + Math.abs(System.nanoTime() % 100000);
        ArcaRun noPrivate = restore(repo, target, 1);
        assertThat(noPrivate.exit()).as(noPrivate.toString()).isEqualTo(12);
        assertThat(noPrivate.err()).contains("needs the private key of " + fingerprint);
        ArcaRun otherPrivate = restore(repo, target, 2, "--private-key", key("other"));
        assertThat(otherPrivate.exit()).as(otherPrivate.toString()).isEqualTo(12);
        assertThat(otherPrivate.err()).contains(fingerprint).contains("given: private key " + otherFingerprint);
        ArcaRun wrongKeyPassphrase = restore(repo, target, 1, "--private-key", key("ops"),
                "--private-key-passphrase-file", keys.resolve("repo-pass").toString());
        assertThat(wrongKeyPassphrase.exit()).isEqualTo(12);
        assertThat(wrongKeyPassphrase.err()).contains("wrong passphrase for private key " + fingerprint);
        assertThat(databaseExists(target)).isFalse();

        for (int jobs : new int[] {1, 2}) {
            String db = target + "_" + jobs;
            ArcaRun r = restore(repo, db, jobs, "--private-key", key("ops"), "--private-key-passphrase-file",
                    keys.resolve("key-pass").toString());
            assertThat(r.exit()).as(r.toString()).isZero();
            if (jobs > 1) {
                // decrypted from the seek points, in parallel
                assertThat(r.err()).contains("restoring in phases with 2 data workers").doesNotContain("one stream");
            }
            try (Connection c = PG.connect(db)) {
                DatabaseAssertions.assertSameData(expected, DatabaseFingerprint.of(c));
            }
        }
    }

    @ParameterizedTest(name = "format {0}")
    @ValueSource(strings = {"plain", "directory"})
    void otherFormatsRoundTripEncrypted(String format) throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString(), "--encrypt-to", pub("other")).exit()).isZero();
        ArcaRun b = backup(repo, "--encrypt-to", pub("other"), "--format", format, "--globals",
                "--jobs", format.equals("directory") ? "2" : "1");
        assertThat(b.exit()).as(b.toString()).isZero();
        String db = "enc_" + format + "_" + Math.abs(System.nanoTime() % 100000);
        ArcaRun r = restore(repo, db, 2, "--private-key", key("other"));
        assertThat(r.exit()).as(r.toString()).isZero();
        try (Connection c = PG.connect(db)) {
            DatabaseAssertions.assertSameData(expected, DatabaseFingerprint.of(c));
        }
        ArcaRun v = ArcaRun.of("verify", "--repo", repo.toString(), "--private-key", key("other"));
        assertThat(v.exit()).as(v.toString()).isZero();
    }

    @Test
    void passphraseRepositoryRefusesAnotherPassphrase() throws Exception {
        Path repo = dir.resolve("repo");
        String pass = keys.resolve("repo-pass").toString();
        assertThat(ArcaRun.of("init", "--repo", repo.toString(), "--passphrase-file", pass).exit()).isZero();
        assertThat(Files.readString(repo.resolve("arca.json"))).contains("passphraseCheck")
                .doesNotContain("repository passphrase");
        Path wrong = Files.writeString(dir.resolve("wrong-pass"), "Repository passphrase\n");
        ArcaRun mistyped = backup(repo, "--passphrase-file", wrong.toString());
        assertThat(mistyped.exit()).as(mistyped.toString()).isEqualTo(12);
        assertThat(mistyped.err()).contains("is not the passphrase of repository");
        assertThat(backupFiles(repo)).isEmpty();

        assertThat(backup(repo, "--passphrase-file", pass).exit()).isZero();
        String db = "enc_pass_" + Math.abs(System.nanoTime() % 100000);
        ArcaRun wrongRestore = restore(repo, db, 2, "--passphrase-file", wrong.toString());
        assertThat(wrongRestore.exit()).as(wrongRestore.toString()).isEqualTo(12);
        assertThat(wrongRestore.err()).contains("passphrase does not decrypt");
        assertThat(databaseExists(db)).isFalse();
        ArcaRun r = restore(repo, db, 2, "--passphrase-file", pass);
        assertThat(r.exit()).as(r.toString()).isZero();
        try (Connection c = PG.connect(db)) {
            DatabaseAssertions.assertSameData(expected, DatabaseFingerprint.of(c));
        }
    }

    @Test
    void tamperedCiphertextFailsVerifyAndRestoreWithExit15() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        assertThat(backup(repo, "--encrypt-to", pub("other")).exit()).isZero();
        Path dump = backupFiles(repo).stream().filter(f -> f.toString().endsWith(".dump.zst.gpg")).findFirst().orElseThrow();
        byte[] bytes = Files.readAllBytes(dump);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(dump, bytes);
        ArcaRun storedOnly = ArcaRun.of("verify", "--repo", repo.toString());
        assertThat(storedOnly.exit()).as(storedOnly.toString()).isEqualTo(15);
        ArcaRun verify = ArcaRun.of("verify", "--repo", repo.toString(), "--private-key", key("other"));
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(15);
        for (int jobs : new int[] {1, 2}) {
            String db = "enc_tampered_" + jobs + "_" + Math.abs(System.nanoTime() % 100000);
            ArcaRun r = restore(repo, db, jobs, "--private-key", key("other"));
            assertThat(r.exit()).as(r.toString()).isEqualTo(15);
            assertThat(databaseExists(db)).isFalse();
        }
    }

    @Test
    void restoresArtifactsThatGpgReencrypted() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        assertThat(backup(repo, "--encrypt-to", pub("other")).exit()).isZero();
        try (GpgHome gpg = GpgHome.create()) {
            gpg.importKey(keys.resolve("other.key.asc"), null);
            ObjectNode manifest = manifest(repo);
            Path manifestFile = backupFiles(repo).stream().filter(f -> f.endsWith("manifest.json")).findFirst().orElseThrow();
            for (var node : (ArrayNode) manifest.get("artifacts")) {
                ObjectNode a = (ObjectNode) node;
                Path file = manifestFile.resolveSibling(a.get("file").asText());
                Path clear = dir.resolve("clear");
                gpg.run("--output", clear.toString(), "--decrypt", file.toString());
                Files.delete(file);
                // gpg's own way: compressed, its own chunk sizes
                gpg.run("--recipient", otherFingerprint, "--output", file.toString(), "--encrypt", clear.toString());
                Files.delete(clear);
                byte[] stored = Files.readAllBytes(file);
                a.put("storedSize", stored.length);
                a.put("storedSha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)));
                ((ObjectNode) a.get("encryption")).put("chunkSize", 0);
            }
            Files.writeString(manifestFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
        }
        ArcaRun verify = ArcaRun.of("verify", "--repo", repo.toString(), "--private-key", key("other"));
        assertThat(verify.exit()).as(verify.toString()).isZero();
        String db = "enc_gpg_" + Math.abs(System.nanoTime() % 100000);
        ArcaRun r = restore(repo, db, 2, "--private-key", key("other"));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("restoring from one stream");
        try (Connection c = PG.connect(db)) {
            DatabaseAssertions.assertSameData(expected, DatabaseFingerprint.of(c));
        }
    }

    @Test
    void copyRefusesARepositoryThatRequiresOtherKeys() throws Exception {
        Path from = dir.resolve("from");
        Path to = dir.resolve("to");
        assertThat(ArcaRun.of("init", "--repo", from.toString()).exit()).isZero();
        assertThat(ArcaRun.of("init", "--repo", to.toString(), "--encrypt-to", pub("ops")).exit()).isZero();
        assertThat(backup(from, "--encrypt-to", pub("other")).exit()).isZero();
        ArcaRun copy = ArcaRun.of("copy", "latest", "--from", from.toString(), "--to", to.toString());
        assertThat(copy.exit()).as(copy.toString()).isEqualTo(12);
        assertThat(copy.err()).contains("requires encryption");
        assertThat(backupFiles(to)).isEmpty();
    }

    @Test
    void keysAndPassphrasesComeFromTheEnvironment() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString(), "--encrypt-to", pub("ops")).exit()).isZero();
        ArcaRun b = ArcaProcess.run(Map.of("ARCA_PUBLIC_KEY", Files.readString(keys.resolve("ops.pub.asc")),
                "PGPASSWORD", PG.cluster().password()), "backup", "--repo", repo.toString(), "--db",
                "postgresql://postgres@127.0.0.1:" + PG.cluster().port() + "/" + source);
        assertThat(b.exit()).as(b.toString()).isZero();
        String db = "enc_env_" + Math.abs(System.nanoTime() % 100000);
        ArcaRun r = ArcaProcess.run(Map.of("ARCA_PRIVATE_KEY", Files.readString(keys.resolve("ops.key.asc")),
                "ARCA_PRIVATE_KEY_PASSPHRASE", "key passphrase", "PGPASSWORD", PG.cluster().password()),
                "restore", "latest", "--repo", repo.toString(), "--jobs", "2", "--to",
                "postgresql://postgres@127.0.0.1:" + PG.cluster().port() + "/" + db);
        assertThat(r.exit()).as(r.toString()).isZero();
        try (Connection c = PG.connect(db)) {
            DatabaseAssertions.assertSameData(expected, DatabaseFingerprint.of(c));
        }
    }

    private ArcaRun backup(Path repo, String... extra) {
        return ArcaRun.of(Stream.concat(Stream.of("backup", "--repo", repo.toString(), "--db",
                ArcaRun.url(PG.cluster(), source)), Stream.of(extra)).toArray(String[]::new));
    }

    private ArcaRun restore(Path repo, String database, int jobs, String... extra) {
        return ArcaRun.of(Stream.concat(Stream.of("restore", "latest", "--repo", repo.toString(), "--to",
                ArcaRun.url(PG.cluster(), database), "--jobs", String.valueOf(jobs), "--verbose"), Stream.of(extra))
                .toArray(String[]::new));
    }

    private static String pub(String name) {
        return keys.resolve(name + ".pub.asc").toString();
    }

    private static String key(String name) {
        return keys.resolve(name + ".key.asc").toString();
    }

    private static List<Path> backupFiles(Path repo) throws IOException {
        if (!Files.isDirectory(repo.resolve("backups"))) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(repo.resolve("backups"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static ObjectNode manifest(Path repo) throws IOException {
        Path m = backupFiles(repo).stream().filter(f -> f.endsWith("manifest.json")).findFirst().orElseThrow();
        return (ObjectNode) JSON.readTree(Files.readString(m, StandardCharsets.UTF_8));
    }

    private static boolean databaseExists(String name) throws SQLException {
        try (Connection c = PG.connect("postgres");
                ResultSet rs = c.createStatement().executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
            return rs.next();
        }
    }
}

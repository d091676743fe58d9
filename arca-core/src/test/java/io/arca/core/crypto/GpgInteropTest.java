package io.arca.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Arca's OpenPGP against the real GnuPG, both ways, with Arca's keys and with gpg's own. */
class GpgInteropTest {
    @TempDir
    Path dir;
    private GpgHome gpg;
    private byte[] data;

    @BeforeEach
    void setUp() throws IOException {
        gpg = GpgHome.create();
        long seed = new Random().nextLong();
        System.out.println("seed " + seed);
        data = new byte[300_000];
        new Random(seed).nextBytes(data);
    }

    @AfterEach
    void tearDown() throws IOException {
        gpg.close();
    }

    @Test
    void gpgDecryptsWhatArcaEncryptsToAPublicKey() throws IOException {
        Path key = write("alice.key.asc", TestKeys.alice().privateKey());
        gpg.importKey(key, write("key-pass", new String(TestKeys.KEY_PASSPHRASE)));
        Path message = encryptWithArca(TestKeys.to(TestKeys.alice()));
        Path out = dir.resolve("out");
        gpg.run("--passphrase-file", dir.resolve("key-pass").toString(), "--output", out.toString(), "--decrypt",
                message.toString());
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
    }

    @Test
    void gpgDecryptsWhatArcaEncryptsWithAPassphrase() throws IOException {
        Path message = encryptWithArca(TestKeys.toPassphrase());
        Path out = dir.resolve("out");
        gpg.run("--passphrase-file", write("pass", new String(TestKeys.REPOSITORY_PASSPHRASE)).toString(), "--output",
                out.toString(), "--decrypt", message.toString());
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
        GpgHome.Result wrong = gpg.tryRun("--passphrase-file", write("wrong", "wrong").toString(), "--output",
                dir.resolve("out2").toString(), "--decrypt", message.toString());
        assertThat(wrong.exit()).isNotZero();
    }

    @ParameterizedTest(name = "gpg compression {0}")
    @ValueSource(strings = {"zlib", "none"})
    void arcaDecryptsWhatGpgEncryptsToArcasKey(String compression) throws IOException {
        gpg.importKey(write("alice.pub.asc", TestKeys.alice().publicKey()), null);
        Path plain = Files.write(dir.resolve("plain"), data);
        Path message = dir.resolve("plain.gpg");
        gpg.run("--compress-algo", compression, "--recipient", TestKeys.alice().fingerprint(), "--output",
                message.toString(), "--encrypt", plain.toString());
        assertThat(decryptWithArca(message, TestKeys.with(TestKeys.alice(), TestKeys.KEY_PASSPHRASE))).isEqualTo(data);
    }

    @Test
    void arcaDecryptsWhatGpgSymmetricEncrypts() throws IOException {
        Path plain = Files.write(dir.resolve("plain"), data);
        Path message = dir.resolve("plain.gpg");
        gpg.run("--passphrase-file", write("pass", new String(TestKeys.REPOSITORY_PASSPHRASE)).toString(),
                "--cipher-algo", "AES256", "--output", message.toString(), "--symmetric", plain.toString());
        assertThat(decryptWithArca(message, TestKeys.withPassphrase(TestKeys.REPOSITORY_PASSPHRASE))).isEqualTo(data);
    }

    @Test
    void arcaWorksWithKeysThatGpgMade() throws IOException {
        gpg.run("--passphrase", "carols passphrase", "--quick-gen-key", "Carol <carol@example.com>", "future-default",
                "default", "never");
        String fpr = gpg.run("--with-colons", "--list-secret-keys", "carol@example.com").stdout().lines()
                .filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow().split(":")[9];
        String publicKey = gpg.run("--armor", "--export", fpr).stdout();
        String privateKey = gpg.run("--passphrase", "carols passphrase", "--armor", "--export-secret-keys", fpr).stdout();

        EncryptionKeys toCarol = EncryptionKeys.of(KeyMaterial.publicKeys(TestKeys.bytes(publicKey), "carol.pub"), null);
        assertThat(toCarol.fingerprints()).containsExactly(fpr);
        Path message = encryptWithArca(toCarol);
        Path out = dir.resolve("out");
        gpg.run("--passphrase", "carols passphrase", "--output", out.toString(), "--decrypt", message.toString());
        assertThat(Files.readAllBytes(out)).isEqualTo(data);

        Path plain = Files.write(dir.resolve("plain"), data);
        Path fromGpg = dir.resolve("plain.gpg");
        gpg.run("--recipient", fpr, "--output", fromGpg.toString(), "--encrypt", plain.toString());
        DecryptionKeys carol = DecryptionKeys.of(KeyMaterial.privateKeys(TestKeys.bytes(privateKey), "carol.key"),
                "carols passphrase".toCharArray(), null);
        assertThat(decryptWithArca(fromGpg, carol)).isEqualTo(data);
    }

    private Path encryptWithArca(EncryptionKeys keys) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (OutputStream out = keys.open(buf, "data.bin", new Date())) {
            out.write(data);
        }
        return Files.write(dir.resolve("data.bin.gpg"), buf.toByteArray());
    }

    private static byte[] decryptWithArca(Path message, DecryptionKeys keys) throws IOException {
        try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(Files.readAllBytes(message)), keys,
                message.getFileName().toString(), null)) {
            return in.readAllBytes();
        }
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

}

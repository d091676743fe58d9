package io.arca.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactInput;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.Codec;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.pipeline.Decryption;
import io.arca.core.pipeline.SeekPoint;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.WriteOptions;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Encrypted artifacts through the pipeline: whole reads, reads from seek points, and bad keys and data. */
class EncryptedArtifactTest {
    private static final String FILE = "db.dump.zst.gpg";
    private static final long SEED = new Random().nextLong();

    @TempDir
    Path dir;

    /** What was written: plain bytes, segment boundaries, seek points, digests. */
    record Written(byte[] plain, List<byte[]> segments, List<SeekPoint> points, ArtifactDigest digest,
            ArtifactEncryption encryption) {
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (CodecSpec spec : List.of(new CodecSpec(Codec.ZSTD, 3, 1), new CodecSpec(Codec.GZIP, 1, 1),
                new CodecSpec(Codec.LZ4, 1, 1), new CodecSpec(Codec.NONE, 0, 1))) {
            out.add(Arguments.of(spec, "public key"));
            out.add(Arguments.of(spec, "passphrase"));
            out.add(Arguments.of(spec, "two keys and a passphrase"));
        }
        return out.stream();
    }

    private static EncryptionKeys encryptionFor(String mode) {
        return switch (mode) {
            case "public key" -> TestKeys.to(TestKeys.alice());
            case "passphrase" -> TestKeys.toPassphrase();
            default -> EncryptionKeys.of(List.of(
                    KeyMaterial.publicKeys(TestKeys.bytes(TestKeys.alice().publicKey()), "alice").get(0),
                    KeyMaterial.publicKeys(TestKeys.bytes(TestKeys.bob().publicKey()), "bob").get(0)),
                    TestKeys.REPOSITORY_PASSPHRASE);
        };
    }

    private static List<DecryptionKeys> decryptionsFor(String mode) {
        return switch (mode) {
            case "public key" -> List.of(TestKeys.with(TestKeys.alice(), TestKeys.KEY_PASSPHRASE));
            case "passphrase" -> List.of(TestKeys.withPassphrase(TestKeys.REPOSITORY_PASSPHRASE));
            default -> List.of(TestKeys.with(TestKeys.alice(), TestKeys.KEY_PASSPHRASE),
                    TestKeys.with(TestKeys.bob(), null), TestKeys.withPassphrase(TestKeys.REPOSITORY_PASSPHRASE));
        };
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void readsWholeAndFromEverySeekPoint(CodecSpec spec, String mode) throws IOException {
        Random random = new Random(SEED);
        System.out.println("seed " + SEED);
        LocalFileStorage storage = new LocalFileStorage(dir);
        Written w = write(storage, spec, encryptionFor(mode), segments(random));
        assertThat(w.encryption().chunkSize()).isEqualTo(1 << 16);
        for (DecryptionKeys keys : decryptionsFor(mode)) {
            try (InputStream in = ArtifactInput.open(storage, FILE, spec.codec(), w.digest(),
                    new Decryption(keys, w.encryption(), null))) {
                assertThat(in.readAllBytes()).isEqualTo(w.plain());
            }
            SeekableMessage.Layout layout = layout(storage, keys, w);
            assertThat(layout).isInstanceOf(SeekableMessage.Seekable.class);
            Decryption d = new Decryption(keys, w.encryption(), ((SeekableMessage.Seekable) layout).message());
            for (int i = 0; i < w.points().size(); i++) {
                try (InputStream in = ArtifactInput.openAt(storage, FILE, spec.codec(), w.points().get(i),
                        w.segments().get(i).length, d)) {
                    assertThat(in.readAllBytes()).as("segment %d", i).isEqualTo(w.segments().get(i));
                }
            }
            SeekPoint last = w.points().get(w.points().size() - 1);
            try (InputStream in = ArtifactInput.openAt(storage, FILE, spec.codec(), last, ReadRange.TO_END, d)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(w.plain(), (int) last.offset(), w.plain().length));
            }
        }
    }

    @Test
    void aWrongPrivateKeyIsRefusedNamingTheKeyNeeded() throws IOException {
        LocalFileStorage storage = new LocalFileStorage(dir);
        Written w = write(storage, new CodecSpec(Codec.ZSTD, 3, 1), TestKeys.to(TestKeys.alice()),
                segments(new Random(SEED)));
        DecryptionKeys bob = TestKeys.with(TestKeys.bob(), null);
        assertThatThrownBy(() -> readAll(storage, w, bob))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining(TestKeys.alice().fingerprint())
                .hasMessageContaining("given: private key " + TestKeys.bob().fingerprint());
        assertThatThrownBy(() -> layout(storage, bob, w))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining(TestKeys.alice().fingerprint());
        DecryptionKeys passphrase = TestKeys.withPassphrase(TestKeys.REPOSITORY_PASSPHRASE);
        assertThatThrownBy(() -> readAll(storage, w, passphrase))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining(TestKeys.alice().fingerprint());
    }

    @Test
    void aWrongPassphraseIsRefused() throws IOException {
        LocalFileStorage storage = new LocalFileStorage(dir);
        Written w = write(storage, new CodecSpec(Codec.ZSTD, 3, 1), TestKeys.toPassphrase(), segments(new Random(SEED)));
        DecryptionKeys wrong = TestKeys.withPassphrase("not it".toCharArray());
        assertThatThrownBy(() -> readAll(storage, w, wrong))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining("passphrase does not decrypt");
        assertThatThrownBy(() -> layout(storage, wrong, w))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining("passphrase does not decrypt");
    }

    @Test
    void aWrongKeyPassphraseFailsWhenTheKeyIsLoaded() {
        assertThatThrownBy(() -> TestKeys.with(TestKeys.alice(), "wrong".toCharArray()))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining("wrong passphrase for private key " + TestKeys.alice().fingerprint());
        assertThatThrownBy(() -> TestKeys.with(TestKeys.alice(), null))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining("is protected by a passphrase");
    }

    @ParameterizedTest(name = "byte {0} of 1000 flipped")
    @MethodSource("tamperPositions")
    void tamperedCiphertextFailsVerification(int permille) throws IOException {
        LocalFileStorage storage = new LocalFileStorage(dir);
        Written w = write(storage, new CodecSpec(Codec.ZSTD, 3, 1), TestKeys.to(TestKeys.alice()),
                segments(new Random(SEED)));
        Path file = dir.resolve(FILE);
        byte[] stored = Files.readAllBytes(file);
        // past the key packets: the ciphertext, up to its last byte (the end of the MDC)
        int start = 200;
        int at = Math.min(stored.length - 1, start + (int) ((long) (stored.length - start) * permille / 1000));
        stored[at] ^= 0x01;
        Files.write(file, stored);
        DecryptionKeys alice = TestKeys.with(TestKeys.alice(), TestKeys.KEY_PASSPHRASE);
        // checked against digests that match the tampered file, so only the OpenPGP checks can catch it
        ArtifactDigest sameStored = new ArtifactDigest(w.digest().size(), w.digest().sha256(), stored.length,
                java.util.HexFormat.of().formatHex(io.arca.core.pipeline.Sha256.newDigest().digest(stored)));
        assertThatThrownBy(() -> {
            try (InputStream in = ArtifactInput.open(storage, FILE, Codec.ZSTD, sameStored,
                    new Decryption(alice, w.encryption(), null))) {
                in.readAllBytes();
            }
        }).isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));
    }

    static Stream<Integer> tamperPositions() {
        return Stream.of(0, 1, 250, 500, 999, 1000);
    }

    @Test
    void keyFilesThatAreNotWhatIsNeededAreRefused() {
        assertThatThrownBy(() -> KeyMaterial.publicKeys(TestKeys.bytes("hello, not a key\n"), "key.txt"))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessage("'key.txt' is not an OpenPGP key");
        assertThatThrownBy(() -> KeyMaterial.privateKeys(new byte[0], "ARCA_PRIVATE_KEY"))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessage("'ARCA_PRIVATE_KEY' is not an OpenPGP key");
        assertThatThrownBy(() -> KeyMaterial.publicKeys(TestKeys.bytes(TestKeys.bob().privateKey()), "bob.key.asc"))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining("holds a private key");
        assertThatThrownBy(() -> KeyMaterial.privateKeys(TestKeys.bytes(TestKeys.bob().publicKey()), "bob.pub.asc"))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining("holds only the public key");
        assertThatThrownBy(() -> KeyMaterial.passphrase(TestKeys.bytes("\n"), "pass.txt"))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining("is empty");
        assertThat(KeyMaterial.passphrase(TestKeys.bytes("secret ü\r\n"), "pass.txt")).isEqualTo("secret ü".toCharArray());
    }

    @Test
    void thePassphraseCheckTellsTheRightPassphraseFromAWrongOne() {
        String check = TestKeys.toPassphrase().passphraseCheck("repo-1");
        assertThat(TestKeys.toPassphrase().passphraseMatches(check, "repo-1")).isTrue();
        assertThat(EncryptionKeys.of(List.of(), "nope".toCharArray()).passphraseMatches(check, "repo-1")).isFalse();
        assertThat(TestKeys.toPassphrase().passphraseMatches(check, "repo-2")).isFalse();
        assertThat(TestKeys.withPassphrase(TestKeys.REPOSITORY_PASSPHRASE).passphraseMatches(check, "repo-1")).isTrue();
    }

    static List<byte[]> segments(Random random) {
        List<byte[]> segments = new ArrayList<>();
        int[] sizes = {0, 1, 17, 70_000, 5, 0, 200_000, 65_536, 3_000, 131_072 + 7};
        for (int size : sizes) {
            byte[] b = new byte[size];
            for (int i = 0; i < size; i++) {
                // compressible but not trivially: short words from a small alphabet
                b[i] = (byte) ('a' + random.nextInt(random.nextBoolean() ? 4 : 26));
            }
            segments.add(b);
        }
        return segments;
    }

    static Written write(LocalFileStorage storage, CodecSpec spec, EncryptionKeys keys, List<byte[]> segments)
            throws IOException {
        List<SeekPoint> points = new ArrayList<>();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(FILE, WriteOptions.DEFAULT), FILE, spec, keys,
                new Date())) {
            for (int i = 0; i < segments.size(); i++) {
                points.add(out.markSeekPoint("data:" + i));
                out.write(segments.get(i));
                plain.write(segments.get(i));
            }
            ArtifactDigest digest = out.finish();
            assertThat(out.codecs()).containsExactly(spec.toString(), "openpgp");
            return new Written(plain.toByteArray(), segments, points, digest, out.encryption());
        }
    }

    private static SeekableMessage.Layout layout(LocalFileStorage storage, DecryptionKeys keys, Written w)
            throws IOException {
        int length = (int) Math.min(SeekableMessage.HEAD, w.digest().storedSize());
        try (InputStream in = storage.openRead(FILE, new ReadRange(0, length))) {
            byte[] head = in.readAllBytes();
            return SeekableMessage.read(head, head.length, keys, FILE, w.encryption());
        }
    }

    private static byte[] readAll(LocalFileStorage storage, Written w, DecryptionKeys keys) throws IOException {
        try (InputStream in = ArtifactInput.open(storage, FILE, Codec.ZSTD, w.digest(),
                new Decryption(keys, w.encryption(), null))) {
            return in.readAllBytes();
        }
    }
}

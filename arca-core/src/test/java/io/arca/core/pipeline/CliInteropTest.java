package io.arca.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.storage.WriteOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stored bytes are the codec's standard container: the real CLI tools decode them, whole and
 * from every seek point, and our decoders read what the tools write. The tools must be installed.
 */
class CliInteropTest {
    private static final String KEY = "backups/2026/02/21/20260221T020000Z-a1/db.dump";

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#compressingSpecs")
    void cliDecodesConcatenatedFramesWholeAndFromEachSeekPoint(CodecSpec spec) throws Exception {
        long seed = TestData.seed("cliDecodesConcatenatedFrames " + spec);
        MemoryStorage storage = new MemoryStorage();
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, Artifacts.segments(seed));
        byte[] stored = storage.bytes(KEY);

        assertThat(cliDecode(spec.codec(), stored)).as("whole artifact, seed %d", seed).isEqualTo(artifact.plain());
        for (SeekPoint point : artifact.points()) {
            byte[] storedRest = Arrays.copyOfRange(stored, (int) point.encodedOffset(), stored.length);
            if (storedRest.length == 0) {
                continue; // no tool decodes an empty file; the seek point only says "nothing follows"
            }
            byte[] plainRest = Arrays.copyOfRange(artifact.plain(), (int) point.offset(), artifact.plain().length);
            assertThat(cliDecode(spec.codec(), storedRest)).as("from %s, seed %d", point, seed).isEqualTo(plainRest);
        }
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#compressingSpecs")
    void cliDecodesAnEmptyArtifact(CodecSpec spec) throws Exception {
        MemoryStorage storage = new MemoryStorage();
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(KEY, WriteOptions.DEFAULT), spec)) {
            out.finish();
        }
        assertThat(cliDecode(spec.codec(), storage.bytes(KEY))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#compressingSpecs")
    void ourDecoderReadsConcatenatedCliOutput(CodecSpec spec) throws Exception {
        long seed = TestData.seed("ourDecoderReadsConcatenatedCliOutput " + spec);
        byte[] first = TestData.mixed(seed, 3 * TestData.MIB + 5);
        byte[] second = TestData.mixed(seed + 1, 100_000);
        byte[] stored = concat(cliEncode(spec.codec(), first), cliEncode(spec.codec(), second));
        byte[] plain = concat(first, second);
        MemoryStorage storage = new MemoryStorage();
        storage.put(KEY, stored);

        ArtifactDigest digest = new ArtifactDigest(plain.length, TestData.sha256(plain), stored.length,
                TestData.sha256(stored));
        try (InputStream in = ArtifactInput.open(storage, KEY, spec.codec(), digest)) {
            assertThat(TestData.readAll(in)).as("seed %d", seed).isEqualTo(plain);
        }
    }

    private byte[] cliDecode(Codec codec, byte[] stored) throws Exception {
        Path in = Files.createTempFile(dir, "stored-", codec.extension());
        Path out = Files.createTempFile(dir, "plain-", "");
        Files.write(in, stored);
        CliTool.decompress(codec, in, out);
        return Files.readAllBytes(out);
    }

    private byte[] cliEncode(Codec codec, byte[] plain) throws Exception {
        // a named file, so that gzip stores the name and the header parser meets FNAME
        Path in = Files.createTempFile(dir, "plain-", ".dump");
        Path out = Files.createTempFile(dir, "stored-", codec.extension());
        Files.write(in, plain);
        CliTool.compress(codec, in, out);
        return Files.readAllBytes(out);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] result = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }
}

package io.arca.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.storage.ReadRange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ArtifactVerificationTest {
    private static final String KEY = "backups/2026/02/21/20260221T020000Z-a1/db.dump.zst";

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void anyFlippedByteFailsVerification(CodecSpec spec) throws Exception {
        long seed = TestData.seed("anyFlippedByteFailsVerification " + spec);
        Random random = new Random(seed);
        MemoryStorage storage = new MemoryStorage();
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, Artifacts.segments(seed));
        byte[] stored = storage.bytes(KEY);
        int[] positions = {0, 5, stored.length / 2, stored.length - 1, random.nextInt(stored.length),
                random.nextInt(stored.length)};

        for (int position : positions) {
            byte[] corrupt = stored.clone();
            corrupt[position] ^= (byte) (1 << random.nextInt(8));
            storage.put(KEY, corrupt);
            assertCorrupt(() -> readWhole(storage, spec.codec(), artifact.digest()))
                    .as("byte %d flipped, seed %d", position, seed);
        }
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void truncatedOrExtendedObjectFailsVerification(CodecSpec spec) throws Exception {
        long seed = TestData.seed("truncatedOrExtendedObjectFailsVerification " + spec);
        MemoryStorage storage = new MemoryStorage();
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, Artifacts.segments(seed));
        byte[] stored = storage.bytes(KEY);

        storage.put(KEY, Arrays.copyOf(stored, stored.length - 1));
        assertCorrupt(() -> readWhole(storage, spec.codec(), artifact.digest()));
        storage.put(KEY, Arrays.copyOf(stored, stored.length + 3));
        assertCorrupt(() -> readWhole(storage, spec.codec(), artifact.digest()));
        // cut at a frame boundary: every frame decodes, only the sizes and digests can tell
        long boundary = artifact.points().get(artifact.points().size() - 1).encodedOffset();
        storage.put(KEY, Arrays.copyOf(stored, (int) boundary));
        assertCorrupt(() -> readWhole(storage, spec.codec(), artifact.digest()));
    }

    @Test
    void eachManifestCheckNamesWhatFailed() throws Exception {
        long seed = TestData.seed("eachManifestCheckNamesWhatFailed");
        MemoryStorage storage = new MemoryStorage();
        byte[] data = TestData.mixed(seed, 200_000);
        ArtifactDigest good = Artifacts.write(storage, KEY, CodecSpec.parse("zstd:3"), data, new Random(seed));
        String otherSha = TestData.sha256(new byte[] {1});

        ArtifactDigest storedSize = new ArtifactDigest(good.size(), good.sha256(), good.storedSize() + 1,
                good.storedSha256());
        assertCorrupt(() -> readWhole(storage, Codec.ZSTD, storedSize))
                .hasMessage("artifact '" + KEY + "' is corrupt: stored size is " + good.storedSize()
                        + " bytes, the manifest says " + (good.storedSize() + 1));
        ArtifactDigest storedSha = new ArtifactDigest(good.size(), good.sha256(), good.storedSize(), otherSha);
        assertCorrupt(() -> readWhole(storage, Codec.ZSTD, storedSha))
                .hasMessage("artifact '" + KEY + "' is corrupt: stored sha-256 does not match the manifest");
        ArtifactDigest plainSize = new ArtifactDigest(good.size() - 1, good.sha256(), good.storedSize(),
                good.storedSha256());
        assertCorrupt(() -> readWhole(storage, Codec.ZSTD, plainSize))
                .hasMessageContaining("plain size is " + good.size() + " bytes");
        ArtifactDigest plainSha = new ArtifactDigest(good.size(), otherSha, good.storedSize(), good.storedSha256());
        assertCorrupt(() -> readWhole(storage, Codec.ZSTD, plainSha))
                .hasMessage("artifact '" + KEY + "' is corrupt: plain sha-256 does not match the manifest");

        assertThat(readWhole(storage, Codec.ZSTD, good)).isEqualTo(data);
    }

    @Test
    void decodeErrorNamesTheKeyAndCodec() throws Exception {
        long seed = TestData.seed("decodeErrorNamesTheKeyAndCodec");
        MemoryStorage storage = new MemoryStorage();
        ArtifactDigest digest = Artifacts.write(storage, KEY, CodecSpec.parse("gzip"), TestData.mixed(seed, 300_000),
                new Random(seed));
        byte[] stored = storage.bytes(KEY);
        stored[stored.length - 6] ^= 0x10; // inside the CRC-32 of the trailer
        storage.put(KEY, stored);

        assertCorrupt(() -> readWhole(storage, Codec.GZIP, digest))
                .hasMessageStartingWith("artifact '" + KEY + "' is corrupt: the gzip data does not decode")
                .satisfies(e -> assertThat(((ArcaException) e).hint()).contains("arca restore"));
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#compressingSpecs")
    void corruptFrameFailsARangedRead(CodecSpec spec) throws Exception {
        long seed = TestData.seed("corruptFrameFailsARangedRead " + spec);
        MemoryStorage storage = new MemoryStorage();
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, Artifacts.segments(seed));
        SeekPoint big = artifact.points().get(3);
        byte[] stored = storage.bytes(KEY);
        stored[(int) big.encodedOffset() + 1000] ^= 0x01;
        storage.put(KEY, stored);

        assertCorrupt(() -> TestData.readAll(ArtifactInput.openAt(storage, KEY, spec.codec(), big,
                artifact.segments().get(3).length)));
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void storageReadFailureIsAnIoErrorNotCorruption(CodecSpec spec) throws Exception {
        long seed = TestData.seed("storageReadFailureIsAnIoErrorNotCorruption " + spec);
        MemoryStorage storage = new MemoryStorage();
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, Artifacts.segments(seed));
        storage.failReadsAfter(storage.bytes(KEY).length / 2);

        assertThatThrownBy(() -> readWhole(storage, spec.codec(), artifact.digest()))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("connection reset by peer");
        assertThatThrownBy(() -> TestData.readAll(ArtifactInput.openAt(storage, KEY, spec.codec(),
                artifact.points().get(0), ReadRange.TO_END)))
                .isExactlyInstanceOf(IOException.class);
    }

    private static byte[] readWhole(MemoryStorage storage, Codec codec, ArtifactDigest expected) throws IOException {
        try (InputStream in = ArtifactInput.open(storage, KEY, codec, expected)) {
            return TestData.readAll(in);
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertCorrupt(
            ThrowingCallable read) {
        return assertThatThrownBy(read)
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED))
                .hasMessageContaining("artifact '" + KEY + "' is corrupt: ");
    }
}

package io.arca.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ArtifactRoundTripTest {
    private static final String KEY = "backups/2026/02/21/20260221T020000Z-a1/db.dump";

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void emptyArtifactRoundTrips(CodecSpec spec) throws Exception {
        roundTrip(spec, new byte[0], 0);
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void oneByteRoundTrips(CodecSpec spec) throws Exception {
        roundTrip(spec, new byte[] {42}, 0);
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void severalMebibytesRoundTrip(CodecSpec spec) throws Exception {
        long seed = TestData.seed("severalMebibytesRoundTrip " + spec);
        roundTrip(spec, TestData.mixed(seed, 9 * TestData.MIB + 777), seed);
    }

    private static void roundTrip(CodecSpec spec, byte[] data, long seed) throws Exception {
        MemoryStorage storage = new MemoryStorage();
        ArtifactDigest digest = Artifacts.write(storage, KEY, spec, data, new Random(seed));

        byte[] stored = storage.bytes(KEY);
        assertThat(digest).as("seed %d", seed).isEqualTo(
                new ArtifactDigest(data.length, TestData.sha256(data), stored.length, TestData.sha256(stored)));
        if (spec.codec() == Codec.NONE) {
            assertThat(stored).isEqualTo(data);
        } else {
            assertThat(stored).as("a codec writes a container even for no data").isNotEmpty();
        }
        try (InputStream in = ArtifactInput.open(storage, KEY, spec.codec(), digest)) {
            assertThat(TestData.readAll(in)).as("seed %d", seed).isEqualTo(data);
        }
        try (InputStream in = ArtifactInput.open(storage, KEY, spec.codec(), digest)) {
            int first = in.read();
            assertThat(first).isEqualTo(data.length == 0 ? -1 : data[0] & 0xFF);
        }
    }
}

package io.arca.core.pipeline;

import io.arca.core.storage.WriteOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/** Setup for the pipeline tests: the codec settings under test and ways of writing artifacts. */
final class Artifacts {
    private Artifacts() {
    }

    /** Every codec, with the settings that take different code paths. */
    static Stream<Arguments> allSpecs() {
        return specs().map(s -> Arguments.of(Named.of(s + " workers=" + s.workers(), s)));
    }

    /** The codecs that have a CLI tool: all but none. */
    static Stream<Arguments> compressingSpecs() {
        return specs().filter(s -> s.codec() != Codec.NONE)
                .map(s -> Arguments.of(Named.of(s + " workers=" + s.workers(), s)));
    }

    private static Stream<CodecSpec> specs() {
        return Stream.of(
                new CodecSpec(Codec.ZSTD, 3, 1),
                new CodecSpec(Codec.ZSTD, 3, 2),
                new CodecSpec(Codec.ZSTD, 1, 0),
                new CodecSpec(Codec.GZIP, 6, 1),
                new CodecSpec(Codec.GZIP, 1, 1),
                new CodecSpec(Codec.LZ4, 1, 1),
                new CodecSpec(Codec.LZ4, 9, 1),
                new CodecSpec(Codec.NONE, 0, 1));
    }

    /** Writes {@code data} in chunks of random size (single bytes included) and finishes. */
    static ArtifactDigest write(MemoryStorage storage, String key, CodecSpec spec, byte[] data, Random random)
            throws IOException {
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(key, WriteOptions.DEFAULT), spec)) {
            int off = 0;
            while (off < data.length) {
                int n = random.nextInt(8) == 0 ? 1 : Math.min(data.length - off, 1 + random.nextInt(300_000));
                if (n == 1) {
                    out.write(data[off]);
                } else {
                    out.write(data, off, n);
                }
                off += n;
            }
            return out.finish();
        }
    }

    /** An artifact written as segments with a seek point before each. */
    record Segmented(byte[] plain, List<byte[]> segments, List<SeekPoint> points, ArtifactDigest digest) {
    }

    /**
     * Writes {@code segments} with a seek point before each (so the first is at offset 0). Empty
     * segments put two seek points at one position.
     */
    static Segmented writeSegments(MemoryStorage storage, String key, CodecSpec spec, List<byte[]> segments)
            throws IOException {
        List<SeekPoint> points = new ArrayList<>();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(key, WriteOptions.DEFAULT), spec)) {
            for (int i = 0; i < segments.size(); i++) {
                points.add(out.markSeekPoint("data:" + i));
                out.write(segments.get(i));
                plain.write(segments.get(i));
            }
            ArtifactDigest digest = out.finish();
            return new Segmented(plain.toByteArray(), List.copyOf(segments), List.copyOf(points), digest);
        }
    }

    /** Segments of mixed sizes: empty, tiny, and larger than the codecs' buffers. */
    static List<byte[]> segments(long seed) {
        Random random = new Random(seed);
        int[] sizes = {3000, 0, 1, 2 * TestData.MIB + 12345, 70_000, 0, 1_300_000, 17};
        List<byte[]> segments = new ArrayList<>();
        for (int size : sizes) {
            segments.add(TestData.mixed(random.nextLong(), size));
        }
        return segments;
    }
}

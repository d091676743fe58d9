package io.arca.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Heap use does not grow with the artifact: a GiB goes through with a few MiB retained. */
class BoundedMemoryTest {
    private static final long GIB = 1L << 30;
    private static final long SAMPLE_EVERY = 128L * TestData.MIB;
    private static final long ALLOWED_GROWTH = 64L * TestData.MIB;

    @Test
    void oneGibibyteThroughMultiThreadedZstdKeepsTheHeapSmall() throws Exception {
        long seed = TestData.seed("oneGibibyteThroughMultiThreadedZstdKeepsTheHeapSmall");
        InputStream source = new GeneratedRows(seed, GIB);
        byte[] buffer = new byte[64 * 1024];
        CountingWriter writer = new CountingWriter(-1);

        long baseline = usedHeapAfterGc();
        long peak = baseline;
        ArtifactDigest digest;
        try (ArtifactOutput out = ArtifactOutput.open(writer, new CodecSpec(Codec.ZSTD, 3, 2))) {
            long nextSample = SAMPLE_EVERY;
            for (int n = source.read(buffer); n >= 0; n = source.read(buffer)) {
                out.write(buffer, 0, n);
                if (out.size() >= nextSample) {
                    peak = Math.max(peak, usedHeapAfterGc());
                    nextSample += SAMPLE_EVERY;
                }
            }
            digest = out.finish();
        }
        peak = Math.max(peak, usedHeapAfterGc());

        assertThat(digest.size()).isEqualTo(GIB);
        assertThat(writer.committed()).isTrue();
        assertThat(writer.size()).isEqualTo(digest.storedSize()).isLessThan(GIB / 2);
        assertThat(peak - baseline).as("heap growth in bytes, seed %d", seed).isLessThan(ALLOWED_GROWTH);
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** {@code size} bytes of table rows, cut from a fixed pool at random places: cheap to produce. */
    private static final class GeneratedRows extends InputStream {
        private static final int POOL = 8 * TestData.MIB;
        private static final int RUN = 256 * 1024;

        private final byte[] pool;
        private final SplittableRandom random;
        private long left;
        private int position;
        private int runLeft;

        GeneratedRows(long seed, long size) {
            this.pool = new RowGenerator(seed).next(POOL);
            this.random = new SplittableRandom(seed);
            this.left = size;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("read in blocks");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            if (runLeft == 0) {
                position = random.nextInt(POOL - RUN);
                runLeft = RUN;
            }
            int n = (int) Math.min(Math.min(len, runLeft), left);
            System.arraycopy(pool, position, b, off, n);
            position += n;
            runLeft -= n;
            left -= n;
            return n;
        }
    }
}

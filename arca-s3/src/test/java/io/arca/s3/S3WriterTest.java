package io.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class S3WriterTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void partSizeDoublesEveryThousandParts() {
        assertThat(S3Writer.partSize(8 * MIB, 1)).isEqualTo(8 * MIB);
        assertThat(S3Writer.partSize(8 * MIB, 1000)).isEqualTo(8 * MIB);
        assertThat(S3Writer.partSize(8 * MIB, 1001)).isEqualTo(16 * MIB);
        assertThat(S3Writer.partSize(8 * MIB, 2001)).isEqualTo(32 * MIB);
        assertThat(S3Writer.partSize(8 * MIB, 10_000)).isEqualTo(S3Writer.MAX_BUFFER);
    }

    @Test
    void defaultPartSizeFitsTheLargestS3ObjectInTenThousandParts() {
        long total = 0;
        for (int part = 1; part <= S3Writer.MAX_PARTS; part++) {
            total += S3Writer.partSize(S3Options.DEFAULT_PART_SIZE, part);
        }

        assertThat(total).isGreaterThanOrEqualTo(5L * 1024 * 1024 * MIB);
    }
}

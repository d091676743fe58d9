package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArchiveIntsTest {

    private static byte[] b(int... v) {
        byte[] a = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = (byte) v[i];
        }
        return a;
    }

    @Test
    void decodesSignByteAndLittleEndianMagnitude() {
        assertThat(ArchiveInts.decode(b(0, 1, 0, 0, 0), 0, 4)).isEqualTo(1);
        assertThat(ArchiveInts.decode(b(0, 0x04, 0x03, 0x02, 0x01), 0, 4)).isEqualTo(0x01020304);
        assertThat(ArchiveInts.decode(b(1, 1, 0, 0, 0), 0, 4)).isEqualTo(-1);
        assertThat(ArchiveInts.decode(b(0, 0xff, 0xff, 0xff, 0x7f), 0, 4)).isEqualTo(Integer.MAX_VALUE);
        assertThat(ArchiveInts.decode(b(1, 0, 0, 0, 0x80), 0, 4)).isEqualTo(Integer.MIN_VALUE);
        // Unsigned magnitude: an OID above 2^31 written without a sign.
        assertThat(ArchiveInts.decode(b(0, 0, 0x5e, 0xd0, 0xb2), 0, 4)).isEqualTo(3_000_000_000L);
        assertThat(ArchiveInts.decode(b(0, 0, 0, 0, 0), 0, 4)).isZero();
    }

    @Test
    void decodesOtherIntegerSizesAndOffsets() {
        assertThat(ArchiveInts.decode(b(9, 9, 0, 0x34, 0x12), 2, 2)).isEqualTo(0x1234);
        assertThat(ArchiveInts.decode(b(1, 0x10, 0, 0, 0, 0, 0, 0, 0), 0, 8)).isEqualTo(-16);
        assertThat(ArchiveInts.decode(b(0, 0, 0, 0, 0, 1, 0, 0, 0), 0, 8)).isEqualTo(1L << 32);
        assertThat(ArchiveInts.encodedLength(4)).isEqualTo(5);
    }
}

package io.arca.postgres.archive;

/**
 * pg_dump's integer encoding ({@code WriteInt}/{@code ReadInt}): a sign byte, non-zero for
 * negative, then the magnitude in {@code intSize} little-endian bytes.
 */
final class ArchiveInts {

    private ArchiveInts() {
    }

    /** Bytes of one encoded integer. */
    static int encodedLength(int intSize) {
        return 1 + intSize;
    }

    /**
     * Decodes the integer at {@code at}; the caller ensures {@code 1 + intSize} bytes are there.
     * Magnitudes up to {@code 2^63 - 1} are exact; larger ones (intSize 8 with the top bit set)
     * come out negative and are rejected by the callers' range checks.
     */
    static long decode(byte[] a, int at, int intSize) {
        long magnitude = 0;
        for (int i = 0; i < intSize; i++) {
            magnitude |= (long) (a[at + 1 + i] & 0xff) << (8 * i);
        }
        return a[at] != 0 ? -magnitude : magnitude;
    }
}

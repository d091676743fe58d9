package io.arca.postgres.physical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.Lsn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the data page checksums of a cluster that has them ({@code initdb --data-checksums}) while
 * {@link DataDirectoryReader} reads its files, as the server's WAL sender does during {@code
 * BASE_BACKUP} ({@code basebackup.c}): in the files of {@code global/}, {@code base/} and the
 * tablespaces (not {@code pg_control}, {@code pg_filenode.map}, {@code PG_VERSION}, {@code
 * pg_internal.init*}, {@code config_exec_params*}), every page that is not new and was last
 * written before the backup started must carry the checksum of {@code storage/checksum_impl.h}
 * (an FNV-1a variant over 32 lanes, mixed with the block number). A page written since may be
 * torn and is left to the WAL. A page that fails is read once more (it may have been read while
 * being written) before it counts, and then the backup fails as the server's does.
 *
 * <p>Not thread-safe; one per reader.
 */
final class PageChecksums {
    private static final int N_SUMS = 32;
    private static final int FNV_PRIME = 16777619;
    private static final int[] BASE_OFFSETS = {
        0x5B1F36E9, 0xB8525960, 0x02AB50AA, 0x1DE66D2A, 0x79FF467A, 0x9BB9F8A3, 0x217E7CD2, 0x83E13D2C,
        0xF8D4474F, 0xE39EB970, 0x42C6AE16, 0x993216FA, 0x7B093B5D, 0x98DAFF3C, 0xF718902A, 0x0B1C9CDB,
        0xE58F764B, 0x187636BC, 0x5D7B3BB1, 0xE73DE7DE, 0x92BEC979, 0xCCA6C0B2, 0x304A0979, 0x85AA43D4,
        0x783125BB, 0x6CA8EAA2, 0xE407EAC6, 0x4B5CFC3E, 0x9FBF8C76, 0x15CA20BE, 0xF2CA9FD3, 0x959BD756};
    private static final Pattern SEGMENT = Pattern.compile(".*\\.([0-9]+)");
    /** How many failures the error lists. */
    private static final int LISTED = 10;

    private final int blockSize;
    private final long segmentBlocks;
    private final long startLsn;
    private final int[] words;
    private final int[] sums = new int[N_SUMS];
    private final List<String> failures = new ArrayList<>();
    private long failed;
    private long checked;

    /**
     * @param blockSize the cluster's page size ({@code block_size})
     * @param segmentBlocks pages per relation segment file ({@code segment_size} in pages)
     * @param start the backup's start position: pages written after it are not checked
     */
    PageChecksums(int blockSize, long segmentBlocks, Lsn start) {
        if (blockSize <= 0 || blockSize % (4 * N_SUMS) != 0) {
            throw new IllegalArgumentException("unsupported block size " + blockSize);
        }
        this.blockSize = blockSize;
        this.segmentBlocks = segmentBlocks;
        this.startLsn = start.value();
        this.words = new int[blockSize / 4];
    }

    int blockSize() {
        return blockSize;
    }

    /**
     * Whether the member {@code name} of a tar is a file whose pages carry checksums:
     * {@code tablespace} for the members of a tablespace's tar.
     */
    static boolean applies(String name, boolean tablespace) {
        if (!tablespace && !name.startsWith("global/") && !name.startsWith("base/")) {
            return false;
        }
        String file = name.substring(name.lastIndexOf('/') + 1);
        return !file.equals("pg_control") && !file.equals("pg_filenode.map") && !file.equals("PG_VERSION")
                && !file.startsWith("pg_internal.init") && !file.startsWith("config_exec_params");
    }

    /** The first block number of file {@code name} ({@code 16384.2} starts at 2 segments' worth). */
    long firstBlock(String name) {
        Matcher m = SEGMENT.matcher(name.substring(name.lastIndexOf('/') + 1));
        return m.matches() ? Long.parseLong(m.group(1)) * segmentBlocks : 0;
    }

    /**
     * Whether the page at {@code b[off..off + blockSize)}, block {@code blkno}, passes: new pages
     * and pages written since the backup started always do.
     */
    boolean passes(byte[] b, int off, long blkno) {
        ByteBuffer page = ByteBuffer.wrap(b, off, blockSize).order(ByteOrder.LITTLE_ENDIAN);
        int upper = Short.toUnsignedInt(page.getShort(off + 14));
        long lsn = Integer.toUnsignedLong(page.getInt(off)) << 32 | Integer.toUnsignedLong(page.getInt(off + 4));
        if (upper == 0 || Long.compareUnsigned(lsn, startLsn) >= 0) {
            return true;
        }
        checked++;
        return checksum(b, off, blkno) == Short.toUnsignedInt(page.getShort(off + 8));
    }

    /** Records a page that failed twice. */
    void failed(String file, long blkno, byte[] b, int off) {
        failed++;
        if (failures.size() < LISTED) {
            int stored = Short.toUnsignedInt(ByteBuffer.wrap(b, off, blockSize).order(ByteOrder.LITTLE_ENDIAN)
                    .getShort(off + 8));
            failures.add(String.format(Locale.ROOT, "%s block %d: calculated %X but the page says %X", file, blkno,
                    checksum(b, off, blkno), stored));
        }
    }

    /** Pages checked so far (not counting new ones and those written since the start). */
    long checked() {
        return checked;
    }

    /**
     * @throws ArcaException VERIFICATION_FAILED when any page failed, naming the first ones
     */
    void requireNone() {
        if (failed == 0) {
            return;
        }
        throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "checksum verification failed in " + failed + " data page"
                + (failed == 1 ? "" : "s") + " (" + failures.get(0) + (failed > 1 ? ", ..." : "") + ")",
                "the cluster's files are damaged on disk, and a backup would keep the damage; nothing was committed."
                        + " Find the damaged relations with pg_amcheck or pg_checksums --check (on a stopped copy)."
                        + " Pages:\n" + String.join("\n", failures));
    }

    /** PostgreSQL's {@code pg_checksum_page}: the page's checksum as its header would hold it. */
    int checksum(byte[] b, int off, long blkno) {
        ByteBuffer.wrap(b, off, blockSize).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(words);
        // pd_checksum (bytes 8 and 9) counts as zero
        words[2] &= 0xFFFF0000;
        System.arraycopy(BASE_OFFSETS, 0, sums, 0, N_SUMS);
        for (int i = 0; i < words.length; i += N_SUMS) {
            for (int j = 0; j < N_SUMS; j++) {
                int t = sums[j] ^ words[i + j];
                sums[j] = t * FNV_PRIME ^ (t >>> 17);
            }
        }
        int result = 0;
        for (int j = 0; j < N_SUMS; j++) {
            // two rounds of zeroes for additional mixing
            int t = sums[j];
            t = t * FNV_PRIME ^ (t >>> 17);
            t = t * FNV_PRIME ^ (t >>> 17);
            result ^= t;
        }
        result ^= (int) blkno;
        // modulo 65535 (not 65536) plus one: never zero, as PostgreSQL reduces it
        return (int) (Integer.toUnsignedLong(result) % 65535) + 1;
    }
}

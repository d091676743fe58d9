package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.postgres.wal.Lsn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The rules around the checksum; that the checksum is PostgreSQL's is shown on real pages by LocalPhysicalBackupIT. */
class PageChecksumsTest {
    private static final int BLOCK = 8192;

    private final PageChecksums checks = new PageChecksums(BLOCK, 131072, Lsn.parse("1/0"));

    @Test
    void relationFilesAreCheckedAndTheFewOthersAreNot() {
        assertThat(PageChecksums.applies("base/5/16384", false)).isTrue();
        assertThat(PageChecksums.applies("base/5/16384_fsm.3", false)).isTrue();
        assertThat(PageChecksums.applies("global/1262", false)).isTrue();
        assertThat(PageChecksums.applies("PG_15_202209061/5/16390", true)).isTrue();
        assertThat(PageChecksums.applies("global/pg_control", false)).isFalse();
        assertThat(PageChecksums.applies("base/5/pg_filenode.map", false)).isFalse();
        assertThat(PageChecksums.applies("base/5/PG_VERSION", false)).isFalse();
        assertThat(PageChecksums.applies("base/5/pg_internal.init", false)).isFalse();
        assertThat(PageChecksums.applies("pg_xact/0000", false)).isFalse();
        assertThat(PageChecksums.applies("postgresql.conf", false)).isFalse();
    }

    @Test
    void blockNumbersCountEarlierSegments() {
        assertThat(checks.firstBlock("base/5/16384")).isZero();
        assertThat(checks.firstBlock("base/5/16384.2")).isEqualTo(2 * 131072L);
    }

    @Test
    void aPageWithItsChecksumPassesAndADamagedOneFails() {
        byte[] page = page(Lsn.parse("0/2000000"));
        stamp(page, 7);
        assertThat(checks.passes(page, 0, 7)).isTrue();
        // the block number is mixed in: a page moved elsewhere fails
        assertThat(checks.passes(page, 0, 8)).isFalse();
        page[5000] ^= 0x01;
        assertThat(checks.passes(page, 0, 7)).isFalse();
        assertThat(checks.checked()).isEqualTo(3);
        checks.failed("base/5/16384", 7, page, 0);
        assertThatThrownBy(checks::requireNone).isInstanceOf(ArcaException.class)
                .hasMessageContaining("checksum verification failed in 1 data page (base/5/16384 block 7: calculated");
    }

    @Test
    void newPagesAndPagesWrittenSinceTheStartAreNotChecked() {
        assertThat(checks.passes(new byte[BLOCK], 0, 0)).isTrue();
        byte[] late = page(Lsn.parse("1/10"));
        assertThat(checks.passes(late, 0, 0)).isTrue();
        assertThat(checks.checked()).isZero();
        checks.requireNone();
    }

    /** A page with LSN {@code lsn}, some tuple bytes and no checksum yet. */
    private static byte[] page(Lsn lsn) {
        byte[] page = new byte[BLOCK];
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, (int) (lsn.value() >>> 32)).putInt(4, (int) lsn.value());
        b.putShort(12, (short) 40).putShort(14, (short) 4000).putShort(16, (short) BLOCK);
        for (int i = 4000; i < BLOCK; i++) {
            page[i] = (byte) (i * 31);
        }
        return page;
    }

    private void stamp(byte[] page, long blkno) {
        ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short) checks.checksum(page, 0, blkno));
    }
}

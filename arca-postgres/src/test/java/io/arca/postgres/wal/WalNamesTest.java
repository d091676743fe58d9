package io.arca.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** LSNs, timelines and WAL file names: parsing, printing and segment arithmetic as PostgreSQL does it. */
class WalNamesTest {
    private static final long SEG = 16L << 20;

    @Test
    void lsnsParsePrintAndCompareUnsigned() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.value()).isEqualTo(0x16B374D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(lsn.segment(SEG)).isEqualTo(0x16B374D848L / SEG);
        assertThat(Lsn.parse("FFFFFFFF/0")).isGreaterThan(Lsn.parse("1/0"));
        assertThat(Lsn.parse("0/0")).hasToString("0/0");
        for (String bad : new String[] {"", "16", "/1", "1/", "x/1", "100000000/0", "1/100000000"}) {
            assertThatThrownBy(() -> Lsn.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void segmentNamesCountSegmentsWithinFourGibLogs() {
        WalFileName n = WalFileName.parse("000000020000000A000000FF", SEG);
        assertThat(n.kind()).isEqualTo(WalFileName.Kind.SEGMENT);
        assertThat(n.timeline().value()).isEqualTo(2);
        assertThat(n.segment()).isEqualTo(0xA * 256 + 0xFF);
        assertThat(n.next(SEG).name()).isEqualTo("000000020000000B00000000");
        assertThat(WalFileName.segment(new TimelineId(1), Lsn.parse("16/B374D848").segment(SEG), SEG).name())
                .isEqualTo("0000000100000016000000B3");
        // 1 GiB segments: four per log
        assertThat(WalFileName.parse("000000010000000100000003", 1L << 30).segment()).isEqualTo(7);
        assertThatThrownBy(() -> WalFileName.parse("000000010000000100000004", 1L << 30))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherArchivedFilesAreRecognised() {
        assertThat(WalFileName.parse("000000010000000000000003.partial", SEG).kind()).isEqualTo(WalFileName.Kind.PARTIAL);
        assertThat(WalFileName.parse("000000010000000000000003.00000028.backup", SEG).kind())
                .isEqualTo(WalFileName.Kind.BACKUP_HISTORY);
        WalFileName h = WalFileName.parse("00000002.history", SEG);
        assertThat(h.kind()).isEqualTo(WalFileName.Kind.TIMELINE_HISTORY);
        assertThat(h.timeline()).isEqualTo(new TimelineId(2));
        for (String bad : new String[] {"00000001000000000000000", "000000010000000000000003.gz", "archive_status",
                "0000000g0000000000000003", "000000000000000000000001"}) {
            assertThatThrownBy(() -> WalFileName.parse(bad, SEG)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

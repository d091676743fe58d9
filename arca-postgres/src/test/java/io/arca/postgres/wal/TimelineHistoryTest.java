package io.arca.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which timeline owns which segment, from history files as PostgreSQL writes them; segment sizes from SHOW. */
class TimelineHistoryTest {
    private static final long SEG = 16L << 20;
    private static final TimelineId ONE = new TimelineId(1);
    private static final TimelineId TWO = new TimelineId(2);
    private static final TimelineId THREE = new TimelineId(3);

    @Test
    void theSegmentWhereATimelineEndedBelongsToItsSuccessor() {
        TimelineHistory h = TimelineHistory.parse(THREE, ("1\t0/600FB20\tno recovery target specified\n"
                + "\n# a comment\n2\t0/9000000\tbefore 2026-01-24 10:30:00+00\n").getBytes(StandardCharsets.UTF_8));
        assertThat(h.ancestors()).containsExactly(new TimelineHistory.Entry(ONE, Lsn.parse("0/600FB20")),
                new TimelineHistory.Entry(TWO, Lsn.parse("0/9000000")));
        assertThat(h.timelineOf(5, SEG)).isEqualTo(ONE);
        assertThat(h.timelineOf(6, SEG)).isEqualTo(TWO);
        // timeline 2 ended exactly at a segment boundary: segment 8 is whole on 2, 9 is 3's
        assertThat(h.timelineOf(8, SEG)).isEqualTo(TWO);
        assertThat(h.timelineOf(9, SEG)).isEqualTo(THREE);
        assertThat(h.timelineOf(1000, SEG)).isEqualTo(THREE);
        assertThat(h.endOf(ONE)).isEqualTo(Lsn.parse("0/600FB20"));
        assertThat(h.endOf(THREE)).isNull();
        assertThat(h.contains(TWO)).isTrue();
        assertThat(h.contains(new TimelineId(4))).isFalse();
        assertThat(TimelineHistory.first().timelineOf(42, SEG)).isEqualTo(ONE);
    }

    @Test
    void aTimelineThatEndedWhereItBeganOwnsNoSegment() {
        TimelineHistory h = TimelineHistory.parse(THREE,
                "1\t0/3000158\tx\n2\t0/3000158\ty\n".getBytes(StandardCharsets.UTF_8));
        assertThat(h.timelineOf(2, SEG)).isEqualTo(ONE);
        assertThat(h.timelineOf(3, SEG)).isEqualTo(THREE);
    }

    @Test
    void garbageIsRefused() {
        assertThatThrownBy(() -> TimelineHistory.parse(TWO, "1 nonsense\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TimelineHistory.parse(TWO, "one\t0/1\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void segmentSizesAsShowPrintsThem() {
        assertThat(WalReceiver.parseSize("16MB")).isEqualTo(16L << 20);
        assertThat(WalReceiver.parseSize("1GB")).isEqualTo(1L << 30);
        assertThat(WalReceiver.parseSize("1MB")).isEqualTo(1L << 20);
        assertThatThrownBy(() -> WalReceiver.parseSize("3MB")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WalReceiver.parseSize("lots")).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataPhasePlanTest {

    private static final String LISTING = """
            ;
            ; Archive created at 2026-11-22 13:39:51 UTC
            ;     dbname: src
            ;
            ; Selected TOC Entries:
            ;
            101; 0 16387 TABLE DATA app customer postgres
            102; 0 16440 TABLE DATA app empty postgres
            103; 0 16414 TABLE DATA app events_2024 postgres
            104; 0 16396 TABLE DATA app orders postgres
            105; 0 0 SEQUENCE SET app customer_id_seq postgres
            106; 0 0 BLOBS - BLOBS\s
            107; 0 0 SEQUENCE SET app orders_id_seq postgres
            """;

    @Test
    void parsesTheEntryLinesOfAListing() {
        List<DataPhasePlan.ListLine> lines = DataPhasePlan.parseListing(LISTING);
        assertThat(lines).extracting(DataPhasePlan.ListLine::dumpId).containsExactly(101, 102, 103, 104, 105, 106, 107);
        assertThat(lines.get(5).text()).isEqualTo("106; 0 0 BLOBS - BLOBS ");
    }

    @Test
    void balancesBlocksLongestFirstAndKeepsArchiveOrderInEachWorker() {
        Map<Integer, BlockRef> blocks = blocks(101, 500, 102, 20, 103, 300, 104, 1000, 106, 400);

        List<DataPhasePlan.Worker> plan = DataPhasePlan.plan(DataPhasePlan.parseListing(LISTING), blocks, entries(), 2);

        // Longest first: 1000 -> w0, 500 -> w1, 400 -> w1 (900), 300 -> w1 (1200), 20 -> w0 (1020);
        // the sequences go to the lighter w0, before its blocks.
        assertThat(plan).hasSize(2);
        assertThat(ids(plan.get(0))).containsExactly(105, 107, 102, 104);
        assertThat(ids(plan.get(1))).containsExactly(101, 103, 106);
        assertThat(plan.get(0).blocks()).extracting(BlockRef::dumpId).containsExactly(102, 104);
        assertThat(plan.get(1).blocks()).extracting(BlockRef::dumpId).containsExactly(101, 103, 106);
        assertThat(plan.get(0).bytes()).isEqualTo(1020);
        assertThat(plan.get(1).bytes()).isEqualTo(1200);
    }

    @Test
    void usesNoMoreWorkersThanBlocks() {
        Map<Integer, BlockRef> blocks = blocks(101, 5, 102, 5, 103, 5, 104, 5, 106, 5);
        List<DataPhasePlan.Worker> plan = DataPhasePlan.plan(DataPhasePlan.parseListing(LISTING), blocks, entries(), 8);
        assertThat(plan).hasSize(5);
        assertThat(plan.stream().mapToLong(DataPhasePlan.Worker::bytes).sum()).isEqualTo(25);
        assertThat(plan.stream().flatMap(w -> w.list().stream()).map(DataPhasePlan.ListLine::dumpId))
                .containsExactlyInAnyOrder(101, 102, 103, 104, 105, 106, 107);
    }

    @Test
    void givesEntriesWithoutBlocksToOneWorkerWhenThereIsNoData() {
        List<DataPhasePlan.ListLine> seqOnly = DataPhasePlan.parseListing("5; 0 0 SEQUENCE SET app s postgres\n");
        List<DataPhasePlan.Worker> plan = DataPhasePlan.plan(seqOnly, Map.of(), Map.of(), 4);
        assertThat(plan).singleElement().satisfies(w -> {
            assertThat(w.blocks()).isEmpty();
            assertThat(ids(w)).containsExactly(5);
        });
        assertThat(DataPhasePlan.plan(List.of(), Map.of(), Map.of(), 4)).isEmpty();
    }

    @Test
    void refusesAnEntryWithDataButNoBlock() {
        Map<Integer, BlockRef> blocks = blocks(101, 5, 102, 5, 103, 5, 106, 5);
        assertThatThrownBy(() -> DataPhasePlan.plan(DataPhasePlan.parseListing(LISTING), blocks, entries(), 2))
                .isInstanceOf(ArcaException.class)
                .hasMessage("backup has no data block for entry 104 TABLE DATA app.orders");
    }

    private static List<Integer> ids(DataPhasePlan.Worker w) {
        return w.list().stream().map(DataPhasePlan.ListLine::dumpId).toList();
    }

    private static Map<Integer, BlockRef> blocks(int... idAndLength) {
        Map<Integer, BlockRef> map = new HashMap<>();
        long offset = 1000;
        for (int i = 0; i < idAndLength.length; i += 2) {
            map.put(idAndLength[i], new BlockRef(idAndLength[i], offset, idAndLength[i + 1]));
            offset += idAndLength[i + 1];
        }
        return map;
    }

    private static Map<Integer, TocEntry> entries() {
        Map<Integer, TocEntry> map = new HashMap<>();
        for (int id : new int[] {101, 102, 103, 104}) {
            map.put(id, entry(id, "TABLE DATA", true));
        }
        map.put(105, entry(105, "SEQUENCE SET", false));
        map.put(106, entry(106, "BLOBS", true));
        map.put(107, entry(107, "SEQUENCE SET", false));
        return map;
    }

    private static TocEntry entry(int id, String desc, boolean data) {
        String tag = id == 104 ? "orders" : "t" + id;
        return new TocEntry(id, data, 0, 0, tag, desc, TocSection.DATA, "", "", null, "app", null, null, '\0',
                "postgres", List.of(), null, TocEntry.NO_OFFSET);
    }
}

package io.arca.postgres.logical;

import io.arca.postgres.archive.CustomArchiveScanner;
import io.arca.postgres.archive.TocEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The row count of each table in an uncompressed custom-format archive, read from its own data
 * blocks: {@code pg_dump -Z0} writes one chunk per COPY row and then the end-of-data marker
 * {@code \.\n\n\n} as one more chunk, so a table's rows are its block's chunks less one. The
 * backup records these counts (no {@code count(*)} competes with the dump for the server's cores)
 * and {@code verify} recounts them. A block that does not end with the marker (another pg_dump
 * behaviour) cannot be counted so; its table is {@link #uncounted}.
 *
 * @param counted rows by table, for the blocks counted
 * @param uncounted tables whose block could not be counted, in archive order
 */
record ArchiveRowCounts(Map<TableRef, Long> counted, List<TableRef> uncounted) {
    /** {@code \.\n\n\n}, which pg_dump writes after a table's COPY rows. */
    private static final int COPY_END_MARKER_LENGTH = 5;

    ArchiveRowCounts {
        counted = Map.copyOf(counted);
        uncounted = List.copyOf(uncounted);
    }

    /** The counts of the archive {@code scanner} has read to its end. */
    static ArchiveRowCounts of(CustomArchiveScanner scanner) {
        Map<Integer, TocEntry> entries = scanner.toc().orElseThrow().byDumpId();
        Map<TableRef, Long> counted = new TreeMap<>();
        List<TableRef> uncounted = new ArrayList<>();
        for (CustomArchiveScanner.DataBlock block : scanner.blocks()) {
            TocEntry e = entries.get(block.dumpId());
            if (e == null || !e.is("TABLE DATA")) {
                continue;
            }
            TableRef table = new TableRef(e.namespace(), e.tag());
            if (block.chunks() >= 1 && block.lastChunkLength() == COPY_END_MARKER_LENGTH) {
                counted.put(table, block.chunks() - 1);
            } else {
                uncounted.add(table);
            }
        }
        return new ArchiveRowCounts(counted, uncounted);
    }
}

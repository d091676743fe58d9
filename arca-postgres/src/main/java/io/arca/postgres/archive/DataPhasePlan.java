package io.arca.postgres.archive;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits the data section of a restore among parallel {@code pg_restore} processes.
 *
 * <p>Blocks go to workers longest first, each to the worker with the fewest bytes so far
 * (longest-processing-time-first). Each worker's list keeps archive order, and its blocks are
 * fed in that same order: {@code pg_restore} reading a pipe restores the entries in the order
 * of its {@code -L} list and scans forward for each block, so the two orders must agree.
 * Entries without a block ({@code SEQUENCE SET}) cost nothing to feed and go first to the
 * least loaded worker.
 */
final class DataPhasePlan {

    /** One line of {@code pg_restore -l} output that names an entry. */
    record ListLine(int dumpId, String text) {
    }

    /** What one {@code pg_restore} process restores. */
    record Worker(List<ListLine> list, List<BlockRef> blocks, long bytes) {
    }

    private DataPhasePlan() {
    }

    /** The entry lines of a {@code pg_restore -l} listing, in order; comments are skipped. */
    static List<ListLine> parseListing(String listing) {
        List<ListLine> lines = new ArrayList<>();
        for (String line : listing.split("\n", -1)) {
            int semi = line.indexOf(';');
            if (semi <= 0) {
                continue;
            }
            try {
                lines.add(new ListLine(Integer.parseInt(line.substring(0, semi).trim()), line));
            } catch (NumberFormatException e) {
                // Not an entry line.
            }
        }
        return lines;
    }

    /**
     * @param dataListing the data section's entries, as {@code pg_restore -l --section=data} lists them
     * @param blocks the archive's blocks by dump id
     * @param entries the archive's entries by dump id
     * @param jobs how many workers at most
     * @throws io.arca.core.error.ArcaException when an entry with data has no block
     */
    static List<Worker> plan(List<ListLine> dataListing, Map<Integer, BlockRef> blocks, Map<Integer, TocEntry> entries,
            int jobs) {
        List<ListLine> withBlock = new ArrayList<>();
        List<ListLine> withoutBlock = new ArrayList<>();
        for (ListLine line : dataListing) {
            TocEntry entry = entries.get(line.dumpId());
            if (blocks.containsKey(line.dumpId())) {
                withBlock.add(line);
            } else if (entry != null && entry.hadDumper()) {
                throw ArchiveErrors.malformed("backup has no data block for entry " + entry.describe());
            } else {
                withoutBlock.add(line);
            }
        }
        int n = Math.max(1, Math.min(jobs, withBlock.size()));
        List<List<ListLine>> lists = new ArrayList<>();
        long[] bytes = new long[n];
        for (int i = 0; i < n; i++) {
            lists.add(new ArrayList<>());
        }
        List<ListLine> bySize = new ArrayList<>(withBlock);
        bySize.sort(Comparator.comparingLong((ListLine l) -> blocks.get(l.dumpId()).length()).reversed()
                .thenComparingInt(ListLine::dumpId));
        for (ListLine line : bySize) {
            int target = leastLoaded(bytes);
            lists.get(target).add(line);
            bytes[target] += blocks.get(line.dumpId()).length();
        }
        Map<Integer, Integer> position = new HashMap<>();
        for (int i = 0; i < dataListing.size(); i++) {
            position.put(dataListing.get(i).dumpId(), i);
        }
        int cheap = leastLoaded(bytes);
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<ListLine> list = new ArrayList<>();
            if (i == cheap) {
                list.addAll(withoutBlock);
            }
            List<ListLine> assigned = new ArrayList<>(lists.get(i));
            assigned.sort(Comparator.comparingInt(l -> position.get(l.dumpId())));
            list.addAll(assigned);
            if (!list.isEmpty()) {
                workers.add(new Worker(list, assigned.stream().map(l -> blocks.get(l.dumpId())).toList(), bytes[i]));
            }
        }
        return workers;
    }

    private static int leastLoaded(long[] bytes) {
        int best = 0;
        for (int i = 1; i < bytes.length; i++) {
            if (bytes[i] < bytes[best]) {
                best = i;
            }
        }
        return best;
    }
}

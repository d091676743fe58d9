package io.arca.postgres.wal;

import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A timeline's history, as PostgreSQL writes it in {@code <timeline>.history}: one line per
 * ancestor timeline, {@code <parent-timeline> <switch-point> <reason>}, oldest first. WAL before
 * an ancestor's switch point belongs to that ancestor (the first one whose switch point lies after
 * it); WAL after the last switch point belongs to {@code timeline} itself.
 *
 * @param timeline the timeline the history leads to
 * @param ancestors its ancestors with the position where each ended, oldest first
 */
public record TimelineHistory(TimelineId timeline, List<Entry> ancestors) {

    /** An ancestor timeline and the position where it ended (the first byte of its successor). */
    public record Entry(TimelineId timeline, Lsn end) {
    }

    public TimelineHistory {
        ancestors = List.copyOf(ancestors);
    }

    /** The history of timeline 1, which has no ancestors (and no history file). */
    public static TimelineHistory first() {
        return new TimelineHistory(new TimelineId(1), List.of());
    }

    /**
     * Parses a history file's content; blank lines and {@code #} comments are skipped.
     *
     * @throws IllegalArgumentException for a line that is not {@code <timeline> <position> ...}
     */
    public static TimelineHistory parse(TimelineId timeline, byte[] content) {
        List<Entry> entries = new ArrayList<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] fields = l.split("\\s+", 3);
            if (fields.length < 2) {
                throw new IllegalArgumentException("invalid line in the history of timeline " + timeline + ": '" + l + "'");
            }
            try {
                entries.add(new Entry(new TimelineId(Long.parseLong(fields[0])), Lsn.parse(fields[1])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid line in the history of timeline " + timeline + ": '" + l + "'", e);
            }
        }
        return new TimelineHistory(timeline, entries);
    }

    /**
     * The timeline whose WAL file holds segment {@code segment} (of {@code segmentSize} bytes) in
     * this history: the first ancestor that ended in a later segment, else {@link #timeline()}. The
     * segment in which a timeline ended is its successor's: PostgreSQL starts a new timeline with a
     * copy of that segment up to the switch point.
     */
    public TimelineId timelineOf(long segment, long segmentSize) {
        for (Entry e : ancestors) {
            if (Long.compareUnsigned(segment, e.end().segment(segmentSize)) < 0) {
                return e.timeline();
            }
        }
        return timeline;
    }

    /** Where {@code ancestor} ended in this history; null for {@link #timeline()} itself or a timeline not in it. */
    public Lsn endOf(TimelineId ancestor) {
        for (Entry e : ancestors) {
            if (e.timeline().equals(ancestor)) {
                return e.end();
            }
        }
        return null;
    }

    /** Whether {@code other} is this timeline or one of its ancestors. */
    public boolean contains(TimelineId other) {
        return timeline.equals(other) || endOf(other) != null;
    }
}

package io.arca.postgres.wal;

import io.arca.core.error.UsageException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a file PostgreSQL archives: a segment ({@code 000000010000000A000000FF}), a partial
 * segment ({@code ….partial}), a backup history file ({@code ….00000028.backup}) or a timeline
 * history file ({@code 00000002.history}).
 *
 * @param name the file name as PostgreSQL gives it
 * @param kind which of those it is
 * @param timeline the timeline it belongs to
 * @param segment the segment number (log * segments per log + seg) for segment kinds, else -1
 */
public record WalFileName(String name, Kind kind, TimelineId timeline, long segment) {
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final Pattern PARTIAL = Pattern.compile(SEGMENT.pattern() + "\\.partial");
    private static final Pattern BACKUP = Pattern.compile(SEGMENT.pattern() + "\\.[0-9A-F]{8}\\.backup");
    private static final Pattern HISTORY = Pattern.compile("([0-9A-F]{8})\\.history");
    /** Segments per "log" in the file name: the low 8 digits count up to 0x100000000 / segment size. */
    private static final long LOG_SPAN = 0x100000000L;

    /** What kind of WAL file a name is. */
    public enum Kind { SEGMENT, PARTIAL, BACKUP_HISTORY, TIMELINE_HISTORY }

    /**
     * Parses a WAL file name. Segment numbers assume {@code segmentSize} bytes per segment (the
     * file name counts segments within 4 GiB "logs").
     *
     * @throws UsageException for anything else (the name comes from the user or from PostgreSQL's
     *     {@code %f}; callers that list files catch it as {@code IllegalArgumentException})
     */
    public static WalFileName parse(String name, long segmentSize) {
        for (Kind kind : new Kind[] {Kind.SEGMENT, Kind.PARTIAL, Kind.BACKUP_HISTORY}) {
            Matcher m = (kind == Kind.SEGMENT ? SEGMENT : kind == Kind.PARTIAL ? PARTIAL : BACKUP).matcher(name);
            if (m.matches()) {
                long log = Long.parseLong(m.group(2), 16);
                long seg = Long.parseLong(m.group(3), 16);
                long perLog = LOG_SPAN / segmentSize;
                if (seg >= perLog) {
                    throw new UsageException("invalid WAL file name '" + name + "' for " + segmentSize
                            + "-byte segments");
                }
                return new WalFileName(name, kind, timeline(name, m.group(1)), log * perLog + seg);
            }
        }
        Matcher h = HISTORY.matcher(name);
        if (h.matches()) {
            return new WalFileName(name, Kind.TIMELINE_HISTORY, timeline(name, h.group(1)), -1);
        }
        throw new UsageException("'" + name + "' is not a WAL file name (segment, .partial, .backup or"
                + " .history)");
    }

    private static TimelineId timeline(String name, String hex) {
        try {
            return TimelineId.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new UsageException("'" + name + "' is not a WAL file name: timeline " + hex + " does not exist", e);
        }
    }

    /** The name of segment {@code segment} on {@code timeline}. */
    public static WalFileName segment(TimelineId timeline, long segment, long segmentSize) {
        long perLog = LOG_SPAN / segmentSize;
        String name = timeline.hex() + String.format(Locale.ROOT, "%08X%08X", segment / perLog, segment % perLog);
        return new WalFileName(name, Kind.SEGMENT, timeline, segment);
    }

    /** The next segment on the same timeline (for segment names). */
    public WalFileName next(long segmentSize) {
        if (kind != Kind.SEGMENT) {
            throw new IllegalStateException("'" + name + "' is not a segment");
        }
        return segment(timeline, segment + 1, segmentSize);
    }

    @Override
    public String toString() {
        return name;
    }
}

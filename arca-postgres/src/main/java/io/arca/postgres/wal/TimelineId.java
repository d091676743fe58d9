package io.arca.postgres.wal;

import java.util.Locale;

/** A timeline, a positive 32-bit number written as 8 hexadecimal digits in WAL file names. */
public record TimelineId(long value) implements Comparable<TimelineId> {
    public TimelineId {
        if (value < 1 || value > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("invalid timeline " + value);
        }
    }

    /** Parses the 8 hexadecimal digits of a WAL file name. */
    public static TimelineId parseHex(String hex) {
        if (hex == null || hex.length() != 8) {
            throw new IllegalArgumentException("invalid timeline '" + hex + "': expected 8 hexadecimal digits");
        }
        return new TimelineId(Long.parseLong(hex, 16));
    }

    public String hex() {
        return String.format(Locale.ROOT, "%08X", value);
    }

    @Override
    public int compareTo(TimelineId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}

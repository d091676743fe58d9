package io.arca.postgres.wal;

import io.arca.core.error.UsageException;
import java.util.Locale;

/**
 * A WAL position (log sequence number), written as PostgreSQL writes it: {@code 16/B374D848}.
 * Compares as the unsigned 64-bit number it is.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /** Parses {@code X/Y} with hexadecimal halves. */
    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new UsageException("invalid LSN '" + text + "': expected the form 16/B374D848");
        }
        try {
            long hi = Long.parseLong(text.substring(0, slash), 16);
            long lo = Long.parseLong(text.substring(slash + 1), 16);
            if (hi > 0xFFFFFFFFL || lo > 0xFFFFFFFFL || hi < 0 || lo < 0) {
                throw new NumberFormatException();
            }
            return new Lsn(hi << 32 | lo);
        } catch (NumberFormatException e) {
            throw new UsageException("invalid LSN '" + text + "': expected the form 16/B374D848", e);
        }
    }

    /** The number of the WAL segment holding this position, for segments of {@code segmentSize} bytes. */
    public long segment(long segmentSize) {
        return Long.divideUnsigned(value, segmentSize);
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}

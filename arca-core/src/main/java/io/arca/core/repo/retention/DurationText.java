package io.arca.core.repo.retention;

import io.arca.core.error.UsageException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them in retention settings: whole numbers with a unit, {@code s},
 * {@code m} (minutes), {@code h}, {@code d} (24 hours), {@code w} (7 days) or {@code y} (365 days),
 * optionally combined from the largest unit down with each unit at most once: {@code 36h},
 * {@code 7d}, {@code 2w}, {@code 1y}, {@code 1d12h}. Nothing else is accepted (no months, no
 * spaces, no signs, no fractions), so a value means the same thing wherever it is read. At most
 * {@link #MAX} ({@code 1000y}), so that a time computed from one (a cutoff, a deadline) never
 * overflows and a value that was accepted once can be read back and used everywhere.
 */
public final class DurationText {
    /** The longest duration accepted: far beyond any retention, far from the limits of date arithmetic. */
    public static final Duration MAX = Duration.ofDays(365L * 1000);

    private static final Pattern PART = Pattern.compile("(\\d{1,18})([ywdhms])");
    private static final String UNITS = "ywdhms";
    private static final long[] UNIT_SECONDS = {365 * 86_400L, 7 * 86_400L, 86_400L, 3_600L, 60L, 1L};
    // Weeks are left out when formatting, so that "7d" reads back as "7d" rather than "1w".
    private static final String FORMAT_UNITS = "ydhms";

    private DurationText() {
    }

    /**
     * Reads a duration such as {@code 36h} or {@code 1d12h}.
     *
     * @throws UsageException when {@code text} is not of that form or longer than {@link #MAX}
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw invalid(text);
        }
        Matcher m = PART.matcher(text);
        long seconds = 0;
        int previousUnit = -1;
        for (int pos = 0; pos < text.length(); pos = m.end()) {
            m.region(pos, text.length());
            if (!m.lookingAt()) {
                throw invalid(text);
            }
            int unit = UNITS.indexOf(m.group(2));
            if (unit <= previousUnit) {
                throw invalid(text);
            }
            previousUnit = unit;
            try {
                seconds = Math.addExact(seconds, Math.multiplyExact(Long.parseLong(m.group(1)), UNIT_SECONDS[unit]));
            } catch (ArithmeticException e) {
                throw tooLong(text);
            }
        }
        if (seconds > MAX.getSeconds()) {
            throw tooLong(text);
        }
        return Duration.ofSeconds(seconds);
    }

    /**
     * Writes a duration the way {@link #parse} reads it, largest unit first and without weeks:
     * 7 days is {@code 7d}, 36 hours is {@code 1d12h}, zero is {@code 0s}.
     *
     * @throws IllegalArgumentException for negative durations and fractions of a second
     */
    public static String format(Duration duration) {
        if (duration.isNegative() || duration.getNano() != 0) {
            // a value Arca computed, never one a user wrote: a bug
            throw new IllegalArgumentException("cannot write duration " + duration + ": only whole, non-negative seconds");
        }
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long rest = duration.getSeconds();
        for (char unit : FORMAT_UNITS.toCharArray()) {
            long size = UNIT_SECONDS[UNITS.indexOf(unit)];
            if (rest >= size) {
                text.append(rest / size).append(unit);
                rest %= size;
            }
        }
        return text.toString();
    }

    private static UsageException invalid(String text) {
        return new UsageException("invalid duration '" + text + "': use e.g. 36h, 7d, 2w, 1y");
    }

    private static UsageException tooLong(String text) {
        return new UsageException("invalid duration '" + text + "': longer than " + format(MAX) + ", the longest"
                + " Arca accepts");
    }
}

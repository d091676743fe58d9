package io.arca.core.hook;

import io.arca.core.repo.retention.DurationText;
import java.time.Duration;

/** Durations in messages, the way users write them ({@code 10m}, {@code 1m30s}); fractions in milliseconds. */
final class Durations {
    private Durations() {
    }

    static String describe(Duration d) {
        if (d.getNano() != 0 || d.isNegative()) {
            return d.toMillis() + "ms";
        }
        return DurationText.format(d);
    }
}

package io.arca.core.repo.retention;

import io.arca.core.error.UsageException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link RetentionPolicy} as settings named like the flags ({@code keep-daily: "7"},
 * {@code keep-within: "36h"}), the form in which {@code arca.json} saves a repository's policy.
 */
public final class RetentionSettings {
    private RetentionSettings() {
    }

    /**
     * The policy the settings describe; missing settings leave their rule off (or at its default).
     *
     * @throws IllegalArgumentException naming the setting when a name is unknown or a value invalid
     */
    public static RetentionPolicy toPolicy(Map<String, String> settings) {
        RetentionPolicy p = RetentionPolicy.NONE;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String v = e.getValue();
            p = switch (e.getKey()) {
                case "keep-last" -> p.withKeepLast(count(e.getKey(), v));
                case "keep-within" -> p.withKeepWithin(duration(e.getKey(), v));
                case "keep-daily" -> p.withKeepDaily(count(e.getKey(), v));
                case "keep-weekly" -> p.withKeepWeekly(count(e.getKey(), v));
                case "keep-monthly" -> p.withKeepMonthly(count(e.getKey(), v));
                case "keep-yearly" -> p.withKeepYearly(count(e.getKey(), v));
                case "safety-keep-within" -> p.withSafetyKeepWithin(duration(e.getKey(), v));
                case "incomplete-grace" -> p.withIncompleteGrace(duration(e.getKey(), v));
                default -> throw new UsageException("unknown retention setting '" + e.getKey() + "'");
            };
        }
        return p;
    }

    /** The settings of a policy; rules that are off are left out. */
    public static Map<String, String> of(RetentionPolicy p) {
        Map<String, String> s = new LinkedHashMap<>();
        putCount(s, "keep-last", p.keepLast());
        if (p.keepWithin() != null) {
            s.put("keep-within", DurationText.format(p.keepWithin()));
        }
        putCount(s, "keep-daily", p.keepDaily());
        putCount(s, "keep-weekly", p.keepWeekly());
        putCount(s, "keep-monthly", p.keepMonthly());
        putCount(s, "keep-yearly", p.keepYearly());
        s.put("safety-keep-within", DurationText.format(p.safetyKeepWithin()));
        s.put("incomplete-grace", DurationText.format(p.incompleteGrace()));
        return s;
    }

    private static void putCount(Map<String, String> s, String name, int n) {
        if (n > 0) {
            s.put(name, Integer.toString(n));
        }
    }

    private static int count(String name, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("invalid " + name + " '" + value + "': use a whole number, 0 or more", e);
        }
    }

    private static Duration duration(String name, String value) {
        try {
            return DurationText.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": " + e.getMessage(), e);
        }
    }
}

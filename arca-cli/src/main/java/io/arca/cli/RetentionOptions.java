package io.arca.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The retention flags of {@code prune} and {@code init}, as settings named like the flags. */
final class RetentionOptions {
    @Option(names = "--keep-last", paramLabel = "N", description = "Keep the N newest backups of each database.")
    Integer keepLast;

    @Option(names = "--keep-within", paramLabel = "DURATION",
            description = "Keep every backup taken within DURATION before now (e.g. 36h, 7d, 2w, 1y; at most 1000y).")
    String keepWithin;

    @Option(names = "--keep-daily", paramLabel = "N", description = "Keep the newest backup of each of the last N days that have one (UTC).")
    Integer keepDaily;

    @Option(names = "--keep-weekly", paramLabel = "N", description = "Likewise for the last N ISO weeks.")
    Integer keepWeekly;

    @Option(names = "--keep-monthly", paramLabel = "N", description = "Likewise for the last N months.")
    Integer keepMonthly;

    @Option(names = "--keep-yearly", paramLabel = "N", description = "Likewise for the last N years.")
    Integer keepYearly;

    @Option(names = "--safety-keep-within", paramLabel = "DURATION",
            description = "Keep safety backups (taken before restore --clean) this long (default 7d).")
    String safetyKeepWithin;

    @Option(names = "--incomplete-grace", paramLabel = "DURATION",
            description = "Remove incomplete backups (no manifest) only when older than this (default 24h).")
    String incompleteGrace;

    /** The flags given, by setting name; empty when none. */
    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        put(s, "keep-last", keepLast);
        put(s, "keep-within", keepWithin);
        put(s, "keep-daily", keepDaily);
        put(s, "keep-weekly", keepWeekly);
        put(s, "keep-monthly", keepMonthly);
        put(s, "keep-yearly", keepYearly);
        put(s, "safety-keep-within", safetyKeepWithin);
        put(s, "incomplete-grace", incompleteGrace);
        return s;
    }

    private static void put(Map<String, String> s, String name, Object value) {
        if (value != null) {
            s.put(name, value.toString());
        }
    }
}

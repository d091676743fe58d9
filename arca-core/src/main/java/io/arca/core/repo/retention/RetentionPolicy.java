package io.arca.core.repo.retention;

import io.arca.core.error.UsageException;
import java.time.Duration;

/**
 * What {@code arca prune} keeps. Counts of 0 and a null {@code keepWithin} turn a rule off; the
 * rules themselves are described on {@link Retention}. Names follow the settings users write:
 * {@code keep-last}, {@code keep-within}, {@code keep-daily}, {@code keep-weekly},
 * {@code keep-monthly}, {@code keep-yearly}, {@code safety-keep-within}, {@code incomplete-grace}.
 *
 * @param keepLast keep the N newest backups of each database
 * @param keepWithin keep every backup that started within this long before now; null when off
 * @param keepDaily keep the newest backup of each of the N most recent UTC days that have one
 * @param keepWeekly likewise per ISO week (Monday to Sunday, UTC)
 * @param keepMonthly likewise per calendar month (UTC)
 * @param keepYearly likewise per calendar year (UTC)
 * @param safetyKeepWithin how long safety backups ({@code purpose=safety}) are kept; null means
 *     {@link #DEFAULT_SAFETY_KEEP_WITHIN}
 * @param incompleteGrace how long an incomplete backup folder (no manifest) is left alone, since
 *     its backup may still be running; null means {@link #DEFAULT_INCOMPLETE_GRACE}
 */
public record RetentionPolicy(int keepLast, Duration keepWithin, int keepDaily, int keepWeekly, int keepMonthly,
        int keepYearly, Duration safetyKeepWithin, Duration incompleteGrace) {
    public static final Duration DEFAULT_SAFETY_KEEP_WITHIN = Duration.ofDays(7);
    public static final Duration DEFAULT_INCOMPLETE_GRACE = Duration.ofHours(24);
    /** No rule for normal backups, default safety and incomplete periods: the start for the {@code with…} methods. */
    public static final RetentionPolicy NONE = new RetentionPolicy(0, null, 0, 0, 0, 0, null, null);

    public RetentionPolicy {
        requireNotNegative("keep-last", keepLast);
        requireNotNegative("keep-daily", keepDaily);
        requireNotNegative("keep-weekly", keepWeekly);
        requireNotNegative("keep-monthly", keepMonthly);
        requireNotNegative("keep-yearly", keepYearly);
        safetyKeepWithin = safetyKeepWithin == null ? DEFAULT_SAFETY_KEEP_WITHIN : safetyKeepWithin;
        incompleteGrace = incompleteGrace == null ? DEFAULT_INCOMPLETE_GRACE : incompleteGrace;
        if (keepWithin != null) {
            requirePositive("keep-within", keepWithin);
        }
        requirePositive("safety-keep-within", safetyKeepWithin);
        // A zero grace would delete the folder of a backup that is running right now.
        requirePositive("incomplete-grace", incompleteGrace);
    }

    /** True when no rule for normal backups is set; {@link Retention#plan} refuses such a policy. */
    public boolean isEmpty() {
        return keepLast == 0 && keepWithin == null && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0
                && keepYearly == 0;
    }

    public RetentionPolicy withKeepLast(int n) {
        return new RetentionPolicy(n, keepWithin, keepDaily, keepWeekly, keepMonthly, keepYearly, safetyKeepWithin,
                incompleteGrace);
    }

    public RetentionPolicy withKeepWithin(Duration d) {
        return new RetentionPolicy(keepLast, d, keepDaily, keepWeekly, keepMonthly, keepYearly, safetyKeepWithin,
                incompleteGrace);
    }

    public RetentionPolicy withKeepDaily(int n) {
        return new RetentionPolicy(keepLast, keepWithin, n, keepWeekly, keepMonthly, keepYearly, safetyKeepWithin,
                incompleteGrace);
    }

    public RetentionPolicy withKeepWeekly(int n) {
        return new RetentionPolicy(keepLast, keepWithin, keepDaily, n, keepMonthly, keepYearly, safetyKeepWithin,
                incompleteGrace);
    }

    public RetentionPolicy withKeepMonthly(int n) {
        return new RetentionPolicy(keepLast, keepWithin, keepDaily, keepWeekly, n, keepYearly, safetyKeepWithin,
                incompleteGrace);
    }

    public RetentionPolicy withKeepYearly(int n) {
        return new RetentionPolicy(keepLast, keepWithin, keepDaily, keepWeekly, keepMonthly, n, safetyKeepWithin,
                incompleteGrace);
    }

    public RetentionPolicy withSafetyKeepWithin(Duration d) {
        return new RetentionPolicy(keepLast, keepWithin, keepDaily, keepWeekly, keepMonthly, keepYearly, d,
                incompleteGrace);
    }

    public RetentionPolicy withIncompleteGrace(Duration d) {
        return new RetentionPolicy(keepLast, keepWithin, keepDaily, keepWeekly, keepMonthly, keepYearly,
                safetyKeepWithin, d);
    }

    private static void requireNotNegative(String setting, int value) {
        if (value < 0) {
            throw new UsageException(setting + " must not be negative, got " + value);
        }
    }

    private static void requirePositive(String setting, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new UsageException(setting + " must be positive, got " + text(value));
        }
        // a cutoff 'now minus value' must stay a valid instant, or every later prune would fail
        if (value.compareTo(DurationText.MAX) > 0) {
            throw new UsageException(setting + " must be at most " + DurationText.format(DurationText.MAX) + ", got "
                    + text(value));
        }
    }

    private static String text(Duration d) {
        return d.isNegative() || d.getNano() != 0 ? d.toString() : DurationText.format(d);
    }
}

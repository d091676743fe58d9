package io.arca.core.repo.retention;

import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.retention.RetentionPlan.Decision;
import io.arca.core.repo.retention.RetentionPlan.IncompleteDecision;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Decides which backups a retention policy keeps. The rules, modelled on restic's {@code forget}:
 *
 * <ul>
 *   <li>Backups are grouped by {@linkplain BackupManifest#series() series}: their sources and the
 *       identities of their subjects (a logical backup of database {@code app} is one series, a
 *       physical one another, {@code app} with its Kubernetes namespace a third); each group is
 *       judged on its own, so {@code keep-last 3} keeps three backups of every database.
 *   <li>Within a group, normal backups (not safety backups) are kept by any rule that selects them:
 *       <ul>
 *         <li>{@code keep-last N}: the N newest;
 *         <li>{@code keep-within D}: every backup that started at or after {@code now - D};
 *         <li>{@code keep-daily N}: the newest backup of each of the N most recent UTC days that
 *             have a backup (days without a backup do not count); {@code keep-weekly} likewise per
 *             ISO week (week-based year, e.g. {@code 2025-W01} starts on 2024-12-30),
 *             {@code keep-monthly} per calendar month, {@code keep-yearly} per calendar year.
 *       </ul>
 *       A kept backup lists every rule that kept it ({@code last 2}, {@code within 7d},
 *       {@code daily 2024-03-05}, {@code weekly 2024-W10}, {@code monthly 2024-03},
 *       {@code yearly 2024}); any other normal backup is removed ({@code matches no rule}).
 *   <li>The newest normal backup of each group is always kept ({@code newest}), even when no rule
 *       selects it: pruning never leaves a database without a backup.
 *   <li>Safety backups (label {@code purpose=safety}, taken before {@code restore --clean}) follow
 *       only their own rule: kept while they started at or after {@code now - safety-keep-within}
 *       ({@code safety, within 7d}), removed after ({@code safety backup older than 7d}). They
 *       neither count toward nor use up the rules above, and are never {@code newest}.
 *   <li>Backups that started after {@code now} (clock skew between hosts) are kept
 *       ({@code start time in the future}) and take no part in the rules, so a wrong clock
 *       elsewhere cannot push out the real newest backup.
 *   <li>An incomplete folder (no manifest) is kept while the start time in its backup id is less
 *       than {@code incomplete-grace} before now, as its backup may still be running, and removed
 *       after. A folder whose last path segment is not a backup id is kept and reported.
 * </ul>
 *
 * Planning again on the kept backups with the same {@code now} removes nothing more; with a later
 * {@code now}, only what {@code keep-within}, {@code safety-keep-within} and
 * {@code incomplete-grace} let age out.
 */
public final class Retention {
    private static final String NO_RULE = "matches no rule";

    private Retention() {
    }

    /**
     * Plans a prune.
     *
     * @param complete complete backups, in any order
     * @param incompleteFolders folders without a manifest, {@code backups/YYYY/MM/DD/<id>}
     * @param now the instant ages are measured from
     * @throws IllegalArgumentException when the policy has no rule for normal backups: such a prune
     *     would remove everything but the newest backup of each database
     */
    public static RetentionPlan plan(List<BackupManifest> complete, List<String> incompleteFolders,
            RetentionPolicy policy, Instant now) {
        Objects.requireNonNull(now, "now");
        if (policy.isEmpty()) {
            throw new IllegalArgumentException("retention policy has no rule: set at least one of keep-last,"
                    + " keep-within, keep-daily, keep-weekly, keep-monthly, keep-yearly");
        }
        List<BackupManifest> sorted = new ArrayList<>(complete);
        sorted.sort(Comparator.comparing(BackupManifest::startedAt).thenComparing(BackupManifest::backupId).reversed());

        List<List<String>> reasons = new ArrayList<>();
        boolean[] keep = new boolean[sorted.size()];
        Map<Group, List<Integer>> groups = new LinkedHashMap<>();
        String safetyWithin = DurationText.format(policy.safetyKeepWithin());
        for (int i = 0; i < sorted.size(); i++) {
            BackupManifest backup = sorted.get(i);
            List<String> r = new ArrayList<>();
            reasons.add(r);
            if (backup.startedAt().isAfter(now)) {
                keep[i] = true;
                r.add("start time in the future");
            } else if (backup.safety()) {
                keep[i] = !backup.startedAt().isBefore(now.minus(policy.safetyKeepWithin()));
                r.add(keep[i] ? "safety, within " + safetyWithin : "safety backup older than " + safetyWithin);
            } else {
                groups.computeIfAbsent(Group.of(backup), g -> new ArrayList<>()).add(i);
            }
        }
        for (List<Integer> members : groups.values()) {
            judgeGroup(sorted, members, policy, now, reasons);
            for (int i : members) {
                keep[i] = !reasons.get(i).isEmpty();
                if (!keep[i]) {
                    reasons.get(i).add(NO_RULE);
                }
            }
        }

        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            decisions.add(new Decision(sorted.get(i), keep[i], reasons.get(i)));
        }
        List<IncompleteDecision> incomplete = new ArrayList<>();
        for (String folder : incompleteFolders) {
            incomplete.add(judgeIncomplete(folder, policy.incompleteGrace(), now));
        }
        return new RetentionPlan(decisions, incomplete);
    }

    /** Adds the keeping reasons to the normal backups of one group, given newest first. */
    private static void judgeGroup(List<BackupManifest> sorted, List<Integer> members, RetentionPolicy policy,
            Instant now, List<List<String>> reasons) {
        List<Period> periods = new ArrayList<>();
        periods.add(new Period("daily", policy.keepDaily(), LocalDate::toString));
        periods.add(new Period("weekly", policy.keepWeekly(), d -> String.format(Locale.ROOT, "%d-W%02d",
                d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR))));
        periods.add(new Period("monthly", policy.keepMonthly(), d -> String.format(Locale.ROOT, "%d-%02d", d.getYear(),
                d.getMonthValue())));
        periods.add(new Period("yearly", policy.keepYearly(), d -> Integer.toString(d.getYear())));
        Instant withinStart = policy.keepWithin() == null ? null : now.minus(policy.keepWithin());
        String within = policy.keepWithin() == null ? null : "within " + DurationText.format(policy.keepWithin());

        for (int rank = 0; rank < members.size(); rank++) {
            int i = members.get(rank);
            Instant start = sorted.get(i).startedAt();
            List<String> r = reasons.get(i);
            if (rank == 0) {
                r.add("newest");
            }
            if (rank < policy.keepLast()) {
                r.add("last " + policy.keepLast());
            }
            if (withinStart != null && !start.isBefore(withinStart)) {
                r.add(within);
            }
            LocalDate day = LocalDate.ofInstant(start, ZoneOffset.UTC);
            for (Period period : periods) {
                period.offer(day, r);
            }
        }
    }

    private static IncompleteDecision judgeIncomplete(String folder, Duration grace, Instant now) {
        String trimmed = folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder;
        String last = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        if (!BackupId.isValid(last)) {
            return new IncompleteDecision(folder, true, "not named by a backup id, left alone");
        }
        Instant start = new BackupId(last).startTime();
        String graceText = DurationText.format(grace);
        if (start.isAfter(now)) {
            return new IncompleteDecision(folder, true, "incomplete, start time in the future");
        }
        if (start.isAfter(now.minus(grace))) {
            return new IncompleteDecision(folder, true, "incomplete, younger than " + graceText + " (may still be running)");
        }
        return new IncompleteDecision(folder, false, "incomplete backup older than " + graceText);
    }

    /**
     * The backups judged together: one {@linkplain BackupManifest#series() series}, the same sources
     * of the same subjects (a logical and a physical backup of one database are two series, as are
     * a database alone and the database with its namespace).
     */
    private record Group(String series) {
        static Group of(BackupManifest backup) {
            return new Group(backup.series());
        }
    }

    /**
     * One of keep-daily/weekly/monthly/yearly while walking a group newest first: the first backup
     * seen in a new period is that period's newest, and is kept while periods remain.
     */
    private static final class Period {
        private final String rule;
        private final Function<LocalDate, String> name;
        private int remaining;
        private String last;

        Period(String rule, int count, Function<LocalDate, String> name) {
            this.rule = rule;
            this.remaining = count;
            this.name = name;
        }

        void offer(LocalDate day, List<String> reasons) {
            if (remaining == 0) {
                return;
            }
            String current = name.apply(day);
            if (!current.equals(last)) {
                last = current;
                remaining--;
                reasons.add(rule + " " + current);
            }
        }
    }
}

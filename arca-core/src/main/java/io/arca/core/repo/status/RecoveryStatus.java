package io.arca.core.repo.status;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Each database's standing against its recovery objectives at one instant. The rules:
 *
 * <ul>
 *   <li>A database's backups are the complete, full ones whose manifest names it; safety backups
 *       (label {@code purpose=safety}, taken before {@code restore --clean}) never count, as they
 *       are not taken on schedule, and neither do partial ones ({@link BackupManifest#partial()}:
 *       taken with table or schema filters), as they cannot restore the database. The newest by
 *       start time is judged; its age is {@code now - startedAt}. No such backup is a problem
 *       ({@code no backup}, or {@code no full backup (newest partial backup <id>)}); so is an age
 *       above the RPO ({@code newest backup is 30h old, RPO is 24h}).
 *   <li>{@link #ANY_DATABASE} stands for a repository in which no database has a backup or a
 *       drill, judged when objectives are set: it has {@code no backup of any database}.
 *   <li>A database's drills are the drill records that name it. A newest drill that failed is a
 *       problem ({@code last drill <id> failed: <failure>}), whatever passed before it.
 *   <li>The RTO is judged on the newest passing drill's measured recovery time
 *       ({@code measured RTO 5h 2m exceeds the RTO of 4h (drill <id>)}). With no measurement the
 *       RTO is unproven, a problem unless the drill-within problem below already says so.
 *   <li>Drill-within is met when a drill that started at or after {@code now - drill-within}
 *       passed ({@code no drill passed in the last 7d} otherwise).
 * </ul>
 *
 * Objectives set to null are not checked (see {@link RecoveryObjectives}). Ages and limits in the
 * problems are written by {@link #readable}.
 *
 * @param now the instant ages are measured from
 * @param databases one status per database, by name
 */
public record RecoveryStatus(Instant now, List<DatabaseStatus> databases) {
    /** The name judged for a repository without any backup or drill when objectives are set. */
    public static final String ANY_DATABASE = RecoveryObjectives.EVERY_DATABASE;

    public RecoveryStatus {
        Objects.requireNonNull(now, "now");
        databases = List.copyOf(databases);
    }

    /** True when every database meets every objective that is checked. */
    public boolean ok() {
        return databases.stream().allMatch(DatabaseStatus::ok);
    }

    /** The databases that miss an objective, by name. */
    public List<DatabaseStatus> missed() {
        return databases.stream().filter(d -> !d.ok()).toList();
    }

    /**
     * The name status judges a section's subject by: a database's name for a PostgreSQL section
     * (null for a physical backup, whose subject is the whole cluster: it has no objectives of its
     * own), and the subject's {@linkplain Subject#identity() identity} for the others
     * ({@code k8s:/shop}, {@code files:/srv/app/secrets}).
     */
    public static String nameOf(Section section) {
        Subject subject = section.subject();
        if (subject == null) {
            return null;
        }
        if (subject.scheme().equals("postgresql")) {
            return subject.name().isEmpty() ? null : subject.name();
        }
        return subject.identity();
    }

    /**
     * Which names a backup and a drill count for. {@link #BY_SECTION}, the default, names each
     * section's subject ({@link #nameOf(Section)}) and a drill's database; the application layer
     * groups by a backup's {@code subject} label first.
     */
    public interface Grouping {
        /** Groups by the sections' subjects and the drills' databases. */
        Grouping BY_SECTION = new Grouping() {
            @Override
            public Set<String> namesOf(BackupManifest backup) {
                Set<String> names = new LinkedHashSet<>();
                for (Section s : backup.sections()) {
                    if (RecoveryStatus.nameOf(s) != null) {
                        names.add(RecoveryStatus.nameOf(s));
                    }
                }
                return names;
            }

            @Override
            public String nameOf(DrillRecord drill) {
                return drill.database();
            }
        };

        /** The names a backup counts for (empty: none, such as a physical backup without a subject). */
        Set<String> namesOf(BackupManifest backup);

        /** The name a drill counts for, or null. */
        String nameOf(DrillRecord drill);
    }

    /** The names of the subjects that have a backup (of any kind, safety ones too) or a drill, sorted. */
    public static SortedSet<String> databasesOf(List<BackupManifest> backups, List<DrillRecord> drills) {
        return databasesOf(backups, drills, Grouping.BY_SECTION);
    }

    /** The same, grouped by {@code grouping}. */
    public static SortedSet<String> databasesOf(List<BackupManifest> backups, List<DrillRecord> drills,
            Grouping grouping) {
        SortedSet<String> names = new TreeSet<>();
        for (BackupManifest b : backups) {
            names.addAll(grouping.namesOf(b));
        }
        for (DrillRecord d : drills) {
            if (grouping.nameOf(d) != null) {
                names.add(grouping.nameOf(d));
            }
        }
        return names;
    }

    /**
     * Judges {@code databases}; one that has neither a backup nor a drill is judged too (it has no backup).
     *
     * @param backups complete backups, in any order
     * @param drills drill records, in any order
     * @param objectivesOf the objectives of a database, by name
     * @param now the instant ages are measured from
     */
    public static RecoveryStatus of(Collection<String> databases, List<BackupManifest> backups,
            List<DrillRecord> drills, Function<String, RecoveryObjectives> objectivesOf, Instant now) {
        return of(databases, backups, drills, objectivesOf, now, Grouping.BY_SECTION);
    }

    /** The same, with backups and drills counted for the names {@code grouping} gives them. */
    public static RecoveryStatus of(Collection<String> databases, List<BackupManifest> backups,
            List<DrillRecord> drills, Function<String, RecoveryObjectives> objectivesOf, Instant now,
            Grouping grouping) {
        List<DatabaseStatus> statuses = new ArrayList<>();
        for (String database : new TreeSet<>(databases)) {
            statuses.add(judge(database, backups, drills, objectivesOf.apply(database), now, grouping));
        }
        return new RecoveryStatus(now, statuses);
    }

    private static DatabaseStatus judge(String database, List<BackupManifest> backups, List<DrillRecord> drills,
            RecoveryObjectives objectives, Instant now, Grouping grouping) {
        List<BackupManifest> scheduled = backups.stream()
                .filter(b -> grouping.namesOf(b).contains(database))
                .filter(b -> !b.safety())
                .toList();
        BackupManifest newest = newest(scheduled.stream().filter(BackupManifest::full).toList());
        BackupManifest newestPartial = newest(scheduled.stream().filter(BackupManifest::partial).toList());
        List<DrillRecord> ofDatabase = drills.stream().filter(d -> database.equals(grouping.nameOf(d)))
                .sorted(Comparator.comparing(DrillRecord::startedAt).thenComparing(DrillRecord::drillId).reversed())
                .toList();
        DrillRecord lastDrill = ofDatabase.isEmpty() ? null : ofDatabase.get(0);
        DrillRecord lastPass = ofDatabase.stream().filter(DrillRecord::passed).findFirst().orElse(null);

        List<String> backupProblems = new ArrayList<>();
        Duration age = newest == null ? null : nonNegative(Duration.between(newest.startedAt(), now));
        Boolean rpoMet = null;
        if (objectives.rpo() != null) {
            rpoMet = age != null && age.compareTo(objectives.rpo()) <= 0;
        }
        if (newest == null) {
            backupProblems.add(ANY_DATABASE.equals(database) ? "no backup of any database"
                    : newestPartial == null ? "no backup"
                    : "no full backup (newest partial backup " + newestPartial.backupId() + ")");
        } else if (Boolean.FALSE.equals(rpoMet)) {
            backupProblems.add("newest backup is " + readable(age) + " old, RPO is " + readable(objectives.rpo()));
        }

        List<String> drillProblems = new ArrayList<>();
        if (lastDrill != null && !lastDrill.passed()) {
            drillProblems.add("last drill " + lastDrill.drillId() + " failed"
                    + (lastDrill.failure() == null ? "" : ": " + lastDrill.failure()));
        }
        Boolean drillWithinMet = null;
        if (objectives.drillWithin() != null) {
            drillWithinMet = lastPass != null && !lastPass.startedAt().isBefore(now.minus(objectives.drillWithin()));
        }
        Duration measuredRto = lastPass == null || lastPass.rtoMillis() == null ? null
                : Duration.ofMillis(lastPass.rtoMillis());
        Boolean rtoMet = null;
        if (objectives.rto() != null && measuredRto != null) {
            rtoMet = measuredRto.compareTo(objectives.rto()) <= 0;
            if (!rtoMet) {
                drillProblems.add("measured RTO " + readable(measuredRto) + " exceeds the RTO of "
                        + readable(objectives.rto()) + " (drill " + lastPass.drillId() + ")");
            }
        } else if (objectives.rto() != null && (lastPass != null || drillWithinMet == null)) {
            // with no passing drill at all, the drill-within problem says so when that check is on
            drillProblems.add("RTO of " + readable(objectives.rto()) + " not proven: no passing drill measured"
                    + " the recovery time");
        }
        if (Boolean.FALSE.equals(drillWithinMet)) {
            drillProblems.add("no drill passed in the last " + readable(objectives.drillWithin()));
        }
        return new DatabaseStatus(database, objectives, newest, age, rpoMet, lastDrill, lastPass, measuredRto, rtoMet,
                drillWithinMet, backupProblems, drillProblems);
    }

    private static BackupManifest newest(List<BackupManifest> backups) {
        return backups.stream()
                .max(Comparator.comparing(BackupManifest::startedAt).thenComparing(BackupManifest::backupId))
                .orElse(null);
    }

    // A backup or drill that started after now (clock skew between hosts) counts as just taken.
    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    /**
     * A duration for people, truncated: below a minute, seconds to the millisecond ({@code 0s},
     * {@code 0.42s}, {@code 3.5s}, {@code 45s}); below an hour, minutes and seconds to the tenth
     * ({@code 1m 3.5s}, {@code 12m 30s}); from there its two largest units ({@code 5h 2m},
     * {@code 30h}), hours up to 48h (so that {@code 24h} reads as {@code 24h}), days from there
     * ({@code 7d}, {@code 3d 4h}). A negative duration reads as {@code 0s}.
     */
    public static String readable(Duration d) {
        if (d.isNegative()) {
            return "0s";
        }
        long s = d.getSeconds();
        int millis = d.getNano() / 1_000_000;
        if (s < 60) {
            return seconds(s, millis, 3);
        }
        if (s < 3_600) {
            String rest = seconds(s % 60, millis, 1);
            return s / 60 + "m" + (rest.equals("0s") ? "" : " " + rest);
        }
        long[] values;
        String[] units;
        if (s >= 2 * 86_400) {
            values = new long[] {s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60, s % 60};
            units = new String[] {"d", "h", "m", "s"};
        } else {
            values = new long[] {s / 3_600, s % 3_600 / 60, s % 60};
            units = new String[] {"h", "m", "s"};
        }
        int first = 0;
        while (first < values.length - 1 && values[first] == 0) {
            first++;
        }
        String text = values[first] + units[first];
        if (first + 1 < values.length && values[first + 1] != 0) {
            text += " " + values[first + 1] + units[first + 1];
        }
        return text;
    }

    /** {@code seconds.millis} with at most {@code decimals} decimals, truncated, without trailing zeros. */
    private static String seconds(long seconds, int millis, int decimals) {
        BigDecimal value = BigDecimal.valueOf(seconds * 1_000 + millis, 3).setScale(decimals, RoundingMode.DOWN);
        return value.stripTrailingZeros().toPlainString() + "s";
    }
}

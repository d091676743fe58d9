package io.arca.core.repo.status;

import io.arca.core.error.UsageException;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.retention.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The recovery objectives one database is judged by; a null objective is not checked.
 *
 * <p>Each objective comes from the first of these that sets it: the command line, the database's
 * entry in {@code arca.json}, the {@code *} entry there. The value {@code none} sets an objective
 * off (so a database's entry can turn off what {@code *} sets). The RPO and RTO are not checked
 * unless set; drill-within is {@link #DEFAULT_DRILL_WITHIN} unless set, because a backup never
 * restored is not known to restore.
 *
 * @param rpo the newest valid backup may be at most this old
 * @param rto the measured recovery time of the newest passing drill may be at most this long
 * @param drillWithin a drill must have passed at most this long ago
 */
public record RecoveryObjectives(Duration rpo, Duration rto, Duration drillWithin) {
    /** The key in {@code arca.json}'s objectives of those that apply to every database. */
    public static final String EVERY_DATABASE = "*";
    /** The value that sets an objective off. */
    public static final String NONE = "none";
    /** Drill-within when nothing sets it. */
    public static final Duration DEFAULT_DRILL_WITHIN = Duration.ofDays(7);

    public RecoveryObjectives {
        requirePositive("rpo", rpo);
        requirePositive("rto", rto);
        requirePositive("drill-within", drillWithin);
    }

    /**
     * Reads one objective as users write it: a duration of {@link DurationText} ({@code 24h},
     * {@code 4h}, {@code 7d}), or {@code none}, which is null.
     *
     * @param name what the value is, for the message ({@code --rpo}, {@code rpo})
     * @throws IllegalArgumentException naming {@code name} when the value is neither, or zero
     */
    public static Duration parse(String name, String text) {
        if (NONE.equals(text)) {
            return null;
        }
        Duration d;
        try {
            d = DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": invalid duration '" + text
                    + "': use e.g. 24h, 4h, 7d, or none to turn the check off", e);
        }
        if (d.isZero()) {
            throw new UsageException(name + ": '" + text + "' is zero: use a longer duration, or none");
        }
        return d;
    }

    /**
     * The objectives of {@code database}, each from the first source that sets it (see the type).
     *
     * @param given the objectives from the command line; null, or null fields, where none were given
     * @param saved {@code arca.json}'s objectives by database name and {@code *}; null when none are saved
     * @throws IllegalArgumentException naming the source when a value is invalid
     */
    public static RecoveryObjectives resolve(String database, RepositoryConfig.Objectives given,
            Map<String, RepositoryConfig.Objectives> saved) {
        List<Source> sources = new ArrayList<>();
        sources.add(new Source("", given));
        if (saved != null) {
            sources.add(new Source("objectives of '" + database + "' in arca.json: ", saved.get(database)));
            sources.add(new Source("objectives of '" + EVERY_DATABASE + "' in arca.json: ", saved.get(EVERY_DATABASE)));
        }
        return new RecoveryObjectives(
                pick(sources, "rpo", RepositoryConfig.Objectives::rpo, null),
                pick(sources, "rto", RepositoryConfig.Objectives::rto, null),
                pick(sources, "drill-within", RepositoryConfig.Objectives::drillWithin, DEFAULT_DRILL_WITHIN));
    }

    /**
     * What {@link #resolve} makes of {@code database}'s objectives and where each comes from, for
     * people: {@code rpo 24h (saved for '*'), rto not checked, drill-within 7d (default)}.
     *
     * @param given the objectives from the command line; null where none were given
     * @param saved {@code arca.json}'s objectives; null when none are saved
     */
    public static String describe(String database, RepositoryConfig.Objectives given,
            Map<String, RepositoryConfig.Objectives> saved) {
        List<Source> sources = new ArrayList<>();
        sources.add(new Source("given", given));
        if (saved != null) {
            sources.add(new Source("saved for '" + database + "'", saved.get(database)));
            sources.add(new Source("saved for '" + EVERY_DATABASE + "'", saved.get(EVERY_DATABASE)));
        }
        return describe(sources, "rpo", RepositoryConfig.Objectives::rpo, null) + ", "
                + describe(sources, "rto", RepositoryConfig.Objectives::rto, null) + ", "
                + describe(sources, "drill-within", RepositoryConfig.Objectives::drillWithin, DEFAULT_DRILL_WITHIN);
    }

    private static String describe(List<Source> sources, String name,
            Function<RepositoryConfig.Objectives, String> field, Duration otherwise) {
        for (Source source : sources) {
            String text = source.objectives() == null ? null : field.apply(source.objectives());
            if (text != null) {
                return NONE.equals(text) ? name + " not checked (none, " + source.where() + ")"
                        : name + " " + text + " (" + source.where() + ")";
            }
        }
        return otherwise == null ? name + " not checked" : name + " " + RecoveryStatus.readable(otherwise) + " (default)";
    }

    private static Duration pick(List<Source> sources, String name, Function<RepositoryConfig.Objectives, String> field,
            Duration otherwise) {
        for (Source source : sources) {
            String text = source.objectives() == null ? null : field.apply(source.objectives());
            if (text != null) {
                try {
                    return parse(name, text);
                } catch (IllegalArgumentException e) {
                    throw new UsageException(source.where() + e.getMessage(), e);
                }
            }
        }
        return otherwise;
    }

    private static void requirePositive(String name, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new UsageException(name + " must be longer than zero, or null: " + d);
        }
    }

    /** Where objectives come from, as a message prefix, and what it sets. */
    private record Source(String where, RepositoryConfig.Objectives objectives) {
    }
}

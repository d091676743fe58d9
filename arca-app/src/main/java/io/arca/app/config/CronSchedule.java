package io.arca.app.config;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.field.expression.Always;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.arca.core.error.UsageException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A five-field Unix cron expression ({@code minute hour day-of-month month day-of-week}, as
 * crontab(5) and Kubernetes CronJobs read it) evaluated in an IANA time zone. Executions fall on
 * whole minutes; {@link #next} and {@link #previous} are strict (an execution exactly at the given
 * instant is neither).
 *
 * <p>Daylight saving time follows cron's long-standing practice, so that a daily backup neither
 * disappears nor runs twice when the clocks change:
 * <ul>
 *   <li>a local time the clocks skip (spring forward: 02:30 in Europe/Berlin on the last Sunday of
 *       March) runs as much later as the clocks jumped (03:30), once: the day's run is not lost;
 *   <li>a local time the clocks pass twice (fall back) runs once, at its first occurrence, unless
 *       the hour field is {@code *}: a job that runs every hour keeps running every elapsed hour.
 * </ul>
 * cron-utils finds the matching local times; this class maps them to instants itself, because
 * cron-utils picks different occurrences of a repeated local time going forward and backward.
 *
 * <p>Immutable and thread-safe.
 */
public final class CronSchedule {
    /** The zone of a schedule that names none. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("UTC");

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final String FIELDS = "minute hour day-of-month month day-of-week";
    private static final Pattern PARTS = Pattern.compile("contains (\\d+) parts");
    // Longer than any clock change in the tz database (2 hours): changes this close matter.
    private static final Duration MARGIN = Duration.ofHours(3);
    // Any fixed local start works: matching local times do not depend on the zone.
    private static final ZonedDateTime PROBE = LocalDate.of(2000, 1, 1).atStartOfDay(ZoneOffset.UTC);

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime localTimes;
    private final boolean everyHour;

    private CronSchedule(String expression, ZoneId zone, Cron cron) {
        this.expression = expression;
        this.zone = zone;
        this.localTimes = ExecutionTime.forCron(cron);
        this.everyHour = cron.retrieve(CronFieldName.HOUR).getExpression() instanceof Always;
    }

    /**
     * Reads a schedule.
     *
     * @param expression five fields, e.g. {@code 0 2 * * *}; names ({@code MON-FRI}, {@code JAN}),
     *     ranges, lists and steps as crontab(5) allows; no nicknames ({@code @daily}), no seconds
     * @param timezone an IANA zone id ({@code Europe/Berlin}, {@code UTC}), or null for UTC
     * @throws UsageException with a one-line message naming the expression or zone
     */
    public static CronSchedule parse(String expression, String timezone) {
        return of(expression, timezone == null ? DEFAULT_ZONE : zone(timezone));
    }

    /** Like {@link #parse(String, String)} with a zone already read. */
    public static CronSchedule of(String expression, ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        if (expression == null || expression.isBlank()) {
            throw new UsageException("invalid cron expression '': empty, expected 5 fields (" + FIELDS + ")", "write e.g. '0 2 * * *' (02:00 every day)", null);
        }
        String text = expression.trim();
        Cron cron;
        try {
            cron = PARSER.parse(text);
            cron.validate();
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid cron expression '" + text + "': " + reason(e.getMessage()),
                    "write 5 fields (" + FIELDS + "), e.g. '0 2 * * *' (02:00 every day)", null);
        }
        if (ExecutionTime.forCron(cron).nextExecution(PROBE).isEmpty()) {
            throw new UsageException("invalid cron expression '" + text + "': it never runs (no such day)",
                    "check day-of-month against month, e.g. there is no 30 February", null);
        }
        return new CronSchedule(text, zone, cron);
    }

    /**
     * Reads an IANA time zone id.
     *
     * @throws UsageException for anything else, fixed offsets included ({@code +02:00} has no DST rules)
     */
    public static ZoneId zone(String timezone) {
        if (timezone == null || !ZoneId.getAvailableZoneIds().contains(timezone)) {
            throw new UsageException("unknown time zone '" + timezone + "': use an IANA name such as Europe/Berlin or UTC",
                    "list the names with: timedatectl list-timezones (or see the tz database)", null);
        }
        return ZoneId.of(timezone);
    }

    /** The expression as written (trimmed). */
    public String expression() {
        return expression;
    }

    /** The zone its fields are read in. */
    public ZoneId zone() {
        return zone;
    }

    /** The first execution strictly after {@code after}, in {@link #zone()}; empty only if none follows. */
    public Optional<ZonedDateTime> next(Instant after) {
        ZonedDateTime local = localStart(after, margin(after).negated());
        Instant best = null;
        while (true) {
            Optional<ZonedDateTime> found = localTimes.nextExecution(local);
            if (found.isEmpty()) {
                break;
            }
            local = found.get();
            List<Instant> instants = instants(local.toLocalDateTime());
            if (best != null && instants.get(0).isAfter(best.plus(margin(best)))) {
                break;
            }
            for (Instant candidate : instants) {
                if (candidate.isAfter(after) && (best == null || candidate.isBefore(best))) {
                    best = candidate;
                }
            }
        }
        return Optional.ofNullable(best).map(i -> i.atZone(zone));
    }

    /** The last execution strictly before {@code before}, in {@link #zone()}; empty only if none precedes. */
    public Optional<ZonedDateTime> previous(Instant before) {
        ZonedDateTime local = localStart(before, margin(before));
        Instant best = null;
        while (true) {
            Optional<ZonedDateTime> found = localTimes.lastExecution(local);
            if (found.isEmpty()) {
                break;
            }
            local = found.get();
            List<Instant> instants = instants(local.toLocalDateTime());
            if (best != null && instants.get(instants.size() - 1).isBefore(best.minus(margin(best)))) {
                break;
            }
            for (Instant candidate : instants) {
                if (candidate.isBefore(before) && (best == null || candidate.isAfter(best))) {
                    best = candidate;
                }
            }
        }
        return Optional.ofNullable(best).map(i -> i.atZone(zone));
    }

    // Near a clock change local times and instants are out of step by up to its size, so the search
    // looks that much further; elsewhere local time maps to instants in order and needs no margin.
    private Duration margin(Instant at) {
        ZoneOffsetTransition change = zone.getRules().nextTransition(at.minus(MARGIN));
        return change != null && change.getInstant().isBefore(at.plus(MARGIN)) ? change.getDuration().abs()
                : Duration.ZERO;
    }

    /** The next {@code count} executions after {@code after}, fewer only if the schedule ends. */
    public List<ZonedDateTime> next(Instant after, int count) {
        List<ZonedDateTime> times = new ArrayList<>(count);
        Instant from = after;
        for (int i = 0; i < count; i++) {
            Optional<ZonedDateTime> t = next(from);
            if (t.isEmpty()) {
                break;
            }
            times.add(t.get());
            from = t.get().toInstant();
        }
        return times;
    }

    // The local clock reading of `at`, moved by `by`, as a zone-less time for cron-utils (UTC has no DST).
    private ZonedDateTime localStart(Instant at, Duration by) {
        return at.atZone(zone).toLocalDateTime().plus(by).atZone(ZoneOffset.UTC);
    }

    // The instants a matching local time runs at, ascending (see the class comment).
    private List<Instant> instants(LocalDateTime time) {
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(time);
        if (offsets.isEmpty()) {
            ZoneOffsetTransition gap = zone.getRules().getTransition(time);
            return List.of(time.plus(gap.getDuration()).atOffset(gap.getOffsetAfter()).toInstant());
        }
        if (offsets.size() == 1 || !everyHour) {
            // getValidOffsets lists the earlier occurrence (the offset before the change) first
            return List.of(time.atOffset(offsets.get(0)).toInstant());
        }
        return List.of(time.atOffset(offsets.get(0)).toInstant(), time.atOffset(offsets.get(1)).toInstant());
    }

    private static String reason(String message) {
        if (message == null) {
            return "not a cron expression";
        }
        Matcher parts = PARTS.matcher(message);
        if (parts.find()) {
            return parts.group(1) + " fields, expected 5 (" + FIELDS + ")";
        }
        if (message.startsWith("Nicknames")) {
            return "nicknames such as @daily are not supported, write the 5 fields";
        }
        String text = message.replace("Failed to parse cron expression. ", "").replace("!", "");
        text = text.replace("Invalid chars in expression Expression: ", "invalid characters in field '")
                .replace(" Invalid chars: ", "': ");
        return text.isEmpty() ? "not a cron expression" : text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronSchedule other && expression.equals(other.expression) && zone.equals(other.zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(expression, zone);
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }
}

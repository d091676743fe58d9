package io.arca.server;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.arca.core.error.UsageException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When one schedule fires: a cron expression (five fields, Unix syntax) read in a time zone.
 * Private adapter over cron-utils until the configuration's own {@code CronSchedule} is on main.
 */
final class FireTimes {
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime times;

    private FireTimes(String expression, ZoneId zone, ExecutionTime times) {
        this.expression = expression;
        this.zone = zone;
        this.times = times;
    }

    /** {@code expression} in {@code zone}; {@code field} names it in the message when it is not a cron expression. */
    static FireTimes parse(String field, String expression, ZoneId zone) {
        try {
            return new FireTimes(expression, zone, ExecutionTime.forCron(UNIX.parse(expression)));
        } catch (IllegalArgumentException e) {
            throw new UsageException(field + ": '" + expression + "' is not a cron expression: " + e.getMessage(),
                    "write five fields: minute hour day-of-month month day-of-week, e.g. '0 2 * * *'", e);
        }
    }

    /** The first fire time strictly after {@code after}. */
    Optional<Instant> next(Instant after) {
        return times.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant);
    }

    /** The last fire time at or before {@code atOrBefore}. */
    Optional<Instant> previous(Instant atOrBefore) {
        ZonedDateTime t = ZonedDateTime.ofInstant(atOrBefore, zone);
        if (times.isMatch(t) && t.getSecond() == 0 && t.getNano() == 0) {
            return Optional.of(atOrBefore);
        }
        return times.lastExecution(t).map(ZonedDateTime::toInstant);
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }
}

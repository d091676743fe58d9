package io.arca.server;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Schedules with seconds, for tests that must fire every few seconds: cron-utils' Quartz syntax
 * ({@code second minute hour day-of-month month day-of-week}, e.g. {@code 0/5 * * * * ?}).
 */
final class SecondsCron {
    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private SecondsCron() {
    }

    static FireTimes.Reader reader() {
        return (expression, zone) -> {
            ExecutionTime times = ExecutionTime.forCron(QUARTZ.parse(expression));
            return new FireTimes() {
                @Override
                public Optional<Instant> next(Instant after) {
                    return times.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant);
                }

                @Override
                public Optional<Instant> previous(Instant before) {
                    return times.lastExecution(ZonedDateTime.ofInstant(before, zone)).map(ZonedDateTime::toInstant);
                }
            };
        };
    }
}

package io.arca.server;

import io.arca.app.config.CronSchedule;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When one schedule fires. The scheduler reads {@code arca.yaml}'s schedules through a
 * {@link Reader}: {@link #cron()}, the five-field {@link CronSchedule}, unless a test needs
 * another dialect (cron-utils' Quartz syntax with seconds, to fire every few seconds).
 */
public interface FireTimes {
    /** The first fire time strictly after {@code after}. */
    Optional<Instant> next(Instant after);

    /** The last fire time strictly before {@code before}. */
    Optional<Instant> previous(Instant before);

    /** Reads a schedule expression in a zone. */
    @FunctionalInterface
    interface Reader {
        /** @throws io.arca.core.error.UsageException for an expression it cannot read */
        FireTimes read(String expression, ZoneId zone);
    }

    /** Five-field Unix cron expressions, as {@code arca.yaml} takes them. */
    static Reader cron() {
        return (expression, zone) -> {
            CronSchedule schedule = CronSchedule.of(expression, zone);
            return new FireTimes() {
                @Override
                public Optional<Instant> next(Instant after) {
                    return schedule.next(after).map(ZonedDateTime::toInstant);
                }

                @Override
                public Optional<Instant> previous(Instant before) {
                    return schedule.previous(before).map(ZonedDateTime::toInstant);
                }

                @Override
                public String toString() {
                    return schedule.toString();
                }
            };
        };
    }
}

package io.arca.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void nextAndPreviousAreStrict() {
        CronSchedule s = CronSchedule.parse("0 2 * * *", null);
        assertThat(s.zone()).isEqualTo(CronSchedule.DEFAULT_ZONE);
        Instant two = Instant.parse("2026-05-10T02:00:00Z");
        assertThat(s.next(two)).map(ZonedDateTime::toInstant).contains(Instant.parse("2026-05-11T02:00:00Z"));
        assertThat(s.previous(two)).map(ZonedDateTime::toInstant).contains(Instant.parse("2026-05-09T02:00:00Z"));
        assertThat(s.next(two.minusNanos(1))).map(ZonedDateTime::toInstant).contains(two);
        assertThat(s.previous(two.plusSeconds(1))).map(ZonedDateTime::toInstant).contains(two);
    }

    @Test
    void fieldsAreReadInTheScheduleZone() {
        CronSchedule s = CronSchedule.parse("15 2 * * MON-FRI", "America/New_York");
        // Friday 2026-05-08 12:00Z -> next weekday 02:15 New York is Monday 2026-05-11 (EDT, -04:00)
        assertThat(s.next(Instant.parse("2026-05-08T12:00:00Z")))
                .contains(ZonedDateTime.parse("2026-05-11T02:15-04:00[America/New_York]"));
        assertThat(s.next(Instant.parse("2026-05-08T12:00:00Z"), 2)).extracting(ZonedDateTime::toString)
                .containsExactly("2026-05-11T02:15-04:00[America/New_York]", "2026-05-12T02:15-04:00[America/New_York]");
    }

    @Test
    void aDailyRunInTheSkippedHourRunsLaterThatDay() {
        CronSchedule s = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
        // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST; 02:30 does not exist
        List<ZonedDateTime> runs = s.next(at("2026-03-28T12:00+01:00"), 3);
        assertThat(runs).extracting(t -> t.toOffsetDateTime().toString())
                .containsExactly("2026-03-29T03:30+02:00", "2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00");
        assertThat(s.previous(at("2026-03-30T00:00+02:00"))).map(t -> t.toOffsetDateTime().toString())
                .contains("2026-03-29T03:30+02:00");
    }

    @Test
    void aDailyRunInTheRepeatedHourRunsOnce() {
        CronSchedule s = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
        // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET; 02:30 happens twice
        assertThat(s.next(at("2026-10-24T12:00+02:00"), 2)).extracting(t -> t.toOffsetDateTime().toString())
                .containsExactly("2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00");
        assertThat(s.next(at("2026-10-25T02:31+02:00"))).map(t -> t.toOffsetDateTime().toString())
                .contains("2026-10-26T02:30+01:00");
        // backwards agrees with forwards: the first occurrence, not the second
        assertThat(s.previous(at("2026-10-26T00:00+01:00"))).map(t -> t.toOffsetDateTime().toString())
                .contains("2026-10-25T02:30+02:00");
    }

    @Test
    void anHourlyRunFollowsElapsedHoursThroughBothChanges() {
        CronSchedule hourly = CronSchedule.parse("0 * * * *", "Europe/Berlin");
        assertThat(hourly.next(at("2026-10-25T00:30+02:00"), 5)).extracting(t -> t.toOffsetDateTime().toString())
                .containsExactly("2026-10-25T01:00+02:00", "2026-10-25T02:00+02:00", "2026-10-25T02:00+01:00",
                        "2026-10-25T03:00+01:00", "2026-10-25T04:00+01:00");
        assertThat(hourly.next(at("2026-03-29T00:30+01:00"), 3)).extracting(t -> t.toOffsetDateTime().toString())
                .containsExactly("2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00", "2026-03-29T04:00+02:00");
        assertThat(hourly.previous(at("2026-10-25T03:00+01:00"))).map(t -> t.toOffsetDateTime().toString())
                .contains("2026-10-25T02:00+01:00");
        assertThat(hourly.previous(at("2026-10-25T02:00+01:00"))).map(t -> t.toOffsetDateTime().toString())
                .contains("2026-10-25T02:00+02:00");
    }

    @ParameterizedTest
    @CsvSource({
        "'30 2 * * *', Europe/Berlin, 2026-03-20T00:00:00Z",
        "'30 2 * * *', Europe/Berlin, 2026-10-18T00:00:00Z",
        "'*/20 * * * *', Europe/Berlin, 2026-10-24T20:00:00Z",
        "'0 */2 * * *', Europe/Berlin, 2026-10-24T20:00:00Z",
        "'0 */2 * * *', America/New_York, 2026-03-07T20:00:00Z",
        "'0 2 * * SUN', America/New_York, 2026-02-01T00:00:00Z",
        "'0 0 29 2 *', UTC, 2026-01-01T00:00:00Z",
        "'30 2 * * *', Australia/Lord_Howe, 2026-03-30T00:00:00Z",
        "'30 1 * * *', Australia/Lord_Howe, 2026-04-02T00:00:00Z",
    })
    void previousUndoesNextAcrossChanges(String expression, String zone, String start) {
        CronSchedule s = CronSchedule.parse(expression, zone);
        Instant t = Instant.parse(start);
        Instant before = null;
        for (int i = 0; i < 60; i++) {
            Instant next = s.next(t).orElseThrow().toInstant();
            assertThat(next).isAfter(t);
            assertThat(s.previous(next.plusNanos(1))).map(ZonedDateTime::toInstant).contains(next);
            if (before != null) {
                assertThat(s.previous(next)).map(ZonedDateTime::toInstant).contains(before);
            }
            before = next;
            t = next;
        }
    }

    @Test
    void aLeapDayScheduleSkipsYears() {
        CronSchedule s = CronSchedule.parse("0 0 29 2 *", "UTC");
        assertThat(s.next(Instant.parse("2026-01-01T00:00:00Z"))).map(ZonedDateTime::toInstant)
                .contains(Instant.parse("2028-02-29T00:00:00Z"));
        assertThat(s.previous(Instant.parse("2026-01-01T00:00:00Z"))).map(ZonedDateTime::toInstant)
                .contains(Instant.parse("2024-02-29T00:00:00Z"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0 2 * *|invalid cron expression '0 2 * *': 4 fields, expected 5 (minute hour day-of-month month day-of-week)",
        "0 0 2 * * *|invalid cron expression '0 0 2 * * *': 6 fields, expected 5",
        "@daily|invalid cron expression '@daily': nicknames such as @daily are not supported",
        "61 2 * * *|invalid cron expression '61 2 * * *': value 61 not in range [0, 59]",
        "0 2 * * 8|invalid cron expression '0 2 * * 8': value 8 not in range [0, 7]",
        "0 0 30 2 *|invalid cron expression '0 0 30 2 *': it never runs",
        "'  '|invalid cron expression '': empty",
        "x 2 * * *|invalid cron expression 'x 2 * * *': invalid characters",
    })
    void badExpressionsAreOneLineUsageErrors(String expression, String message) {
        assertThatThrownBy(() -> CronSchedule.parse(expression, "UTC"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
                .satisfies(e -> assertThat(((UsageException) e).hint()).isNotBlank());
    }

    @ParameterizedTest
    @CsvSource({"Europe/Berln", "+02:00", "CEST", "''"})
    void badZonesAreOneLineUsageErrors(String zone) {
        assertThatThrownBy(() -> CronSchedule.parse("0 2 * * *", zone))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown time zone '" + zone + "': use an IANA name such as Europe/Berlin or UTC");
    }

    @Test
    void everyMinuteRunsEveryMinuteThroughTheRepeatedHour() {
        CronSchedule s = CronSchedule.parse("* * * * *", "Europe/Berlin");
        Instant t = at("2026-10-25T01:50+02:00");
        List<ZonedDateTime> runs = s.next(t, 150);
        assertThat(runs).hasSize(150);
        // through the repeated hour every minute of elapsed time runs once
        for (int i = 1; i < runs.size(); i++) {
            assertThat(Duration.between(runs.get(i - 1).toInstant(), runs.get(i).toInstant())).isEqualTo(Duration.ofMinutes(1));
        }
    }

    private static Instant at(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }
}

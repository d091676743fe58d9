package io.arca.core.repo.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DurationTextTest {
    @Test
    void readsAndWritesTheUnits() {
        assertThat(DurationText.parse("36h")).isEqualTo(Duration.ofHours(36));
        assertThat(DurationText.parse("1d12h")).isEqualTo(Duration.ofHours(36));
        assertThat(DurationText.parse("2w")).isEqualTo(Duration.ofDays(14));
        assertThat(DurationText.parse("1y")).isEqualTo(Duration.ofDays(365));
        assertThat(DurationText.format(Duration.ofHours(36))).isEqualTo("1d12h");
        assertThat(DurationText.format(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void theLongestAcceptedDurationIsUsableEverywhere() {
        assertThat(DurationText.parse("1000y")).isEqualTo(DurationText.MAX);
        assertThat(DurationText.parse(DurationText.format(DurationText.MAX))).isEqualTo(DurationText.MAX);
        // a cutoff computed from it stays a valid instant, so a saved policy can always be applied
        RetentionPolicy p = RetentionSettings.toPolicy(java.util.Map.of("keep-within", "1000y",
                "safety-keep-within", "1000y", "incomplete-grace", "1000y"));
        Instant now = Instant.parse("2026-12-07T12:00:00Z");
        RetentionPlan plan = Retention.plan(List.of(Backups.logical("app", "2026-12-01T00:00:00Z")), List.of(), p, now);
        assertThat(plan.decisions()).singleElement().satisfies(d -> assertThat(d.keep()).isTrue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999d", "1001y", "999999999999999999s", "999999999999999999y", "8760001h", "1000y1s"})
    void durationsLongerThanTheMaximumAreUsageErrors(String text) {
        assertThatThrownBy(() -> DurationText.parse(text)).isInstanceOf(UsageException.class)
                .hasMessage("invalid duration '" + text + "': longer than 1000y, the longest Arca accepts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "7", "7 d", "-1d", "1.5h", "12h1d", "1d1d", "1month", "9999999999999999999s"})
    void malformedDurationsAreUsageErrors(String text) {
        assertThatThrownBy(() -> DurationText.parse(text)).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("invalid duration '" + text + "'");
    }

    @Test
    void formattingAnImpossibleValueIsABugNotUsage() {
        assertThatThrownBy(() -> DurationText.format(Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class).isNotInstanceOf(UsageException.class);
    }
}

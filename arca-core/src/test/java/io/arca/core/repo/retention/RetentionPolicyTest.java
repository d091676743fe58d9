package io.arca.core.repo.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetentionPolicyTest {

    @ParameterizedTest
    @CsvSource({
        "36h, PT36H, 1d12h",
        "7d, PT168H, 7d",
        "2w, PT336H, 14d",
        "90m, PT90M, 1h30m",
        "45s, PT45S, 45s",
        "1y, PT8760H, 1y",
        "1d12h, PT36H, 1d12h",
        "1y2w3d4h5m6s, PT9172H5M6S, 1y17d4h5m6s",
        "0s, PT0S, 0s",
    })
    void durationTextReadsUnitsAndCombinationsAndWritesThemBack(String text, String iso, String written) {
        Duration d = DurationText.parse(text);
        assertThat(d).isEqualTo(Duration.parse(iso));
        assertThat(DurationText.format(d)).isEqualTo(written);
        assertThat(DurationText.parse(written)).isEqualTo(d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "7", "d", "7D", "6mo", "1.5h", "-1d", "+1d", " 7d", "7d ", "7 d", "12h1d", "1d1d",
        "P7D", "7days", "99999999999999999999s"})
    void durationTextRejectsAnythingElse(String text) {
        assertThatThrownBy(() -> DurationText.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid duration '" + text + "': use e.g. 36h, 7d, 2w, 1y");
    }

    @Test
    void durationTextWritesOnlyWholeNonNegativeSeconds() {
        assertThatThrownBy(() -> DurationText.format(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DurationText.format(Duration.ofMillis(1500))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void policyDefaultsSafetyAndGraceAndIsEmptyWithoutNormalRules() {
        assertThat(RetentionPolicy.NONE.isEmpty()).isTrue();
        assertThat(RetentionPolicy.NONE.safetyKeepWithin()).isEqualTo(Duration.ofDays(7));
        assertThat(RetentionPolicy.NONE.incompleteGrace()).isEqualTo(Duration.ofHours(24));
        assertThat(RetentionPolicy.NONE.withSafetyKeepWithin(Duration.ofDays(1)).withIncompleteGrace(Duration.ofHours(2))
                .isEmpty()).isTrue();
        assertThat(RetentionPolicy.NONE.withKeepLast(1).isEmpty()).isFalse();
        assertThat(RetentionPolicy.NONE.withKeepWithin(Duration.ofHours(1)).isEmpty()).isFalse();
        assertThat(RetentionPolicy.NONE.withKeepDaily(1).isEmpty()).isFalse();
        assertThat(RetentionPolicy.NONE.withKeepWeekly(1).isEmpty()).isFalse();
        assertThat(RetentionPolicy.NONE.withKeepMonthly(1).isEmpty()).isFalse();
        assertThat(RetentionPolicy.NONE.withKeepYearly(1).isEmpty()).isFalse();
        assertThat(RetentionPolicy.NONE.withKeepDaily(7).withKeepWeekly(4))
                .isEqualTo(new RetentionPolicy(0, null, 7, 4, 0, 0, Duration.ofDays(7), Duration.ofHours(24)));
    }

    @Test
    void policyRejectsNegativeCountsAndNonPositiveDurations() {
        assertThatThrownBy(() -> RetentionPolicy.NONE.withKeepLast(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("keep-last must not be negative, got -1");
        assertThatThrownBy(() -> RetentionPolicy.NONE.withKeepYearly(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetentionPolicy.NONE.withKeepWithin(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("keep-within must be positive");
        assertThatThrownBy(() -> RetentionPolicy.NONE.withSafetyKeepWithin(Duration.ofHours(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetentionPolicy.NONE.withIncompleteGrace(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("incomplete-grace must be positive");
    }
}

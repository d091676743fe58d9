package io.arca.core.repo.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionSettingsTest {
    @Test
    void settingsRoundTripThroughThePolicy() {
        Map<String, String> settings = Map.of("keep-last", "3", "keep-within", "36h", "keep-daily", "7",
                "keep-weekly", "4", "keep-monthly", "12", "keep-yearly", "2", "safety-keep-within", "3d",
                "incomplete-grace", "12h");
        RetentionPolicy p = RetentionSettings.toPolicy(settings);
        assertThat(p).isEqualTo(new RetentionPolicy(3, Duration.ofHours(36), 7, 4, 12, 2, Duration.ofDays(3),
                Duration.ofHours(12)));
        assertThat(RetentionSettings.toPolicy(RetentionSettings.of(p))).isEqualTo(p);
    }

    @Test
    void missingSettingsLeaveRulesOffAndDefaultsInPlace() {
        RetentionPolicy p = RetentionSettings.toPolicy(Map.of("keep-daily", "7"));
        assertThat(p.keepDaily()).isEqualTo(7);
        assertThat(p.keepLast()).isZero();
        assertThat(p.safetyKeepWithin()).isEqualTo(RetentionPolicy.DEFAULT_SAFETY_KEEP_WITHIN);
        assertThat(RetentionSettings.toPolicy(Map.of()).isEmpty()).isTrue();
    }

    @Test
    void badSettingsNameTheSetting() {
        assertThatThrownBy(() -> RetentionSettings.toPolicy(Map.of("keep-hourly", "3")))
                .hasMessageContaining("unknown retention setting 'keep-hourly'");
        assertThatThrownBy(() -> RetentionSettings.toPolicy(Map.of("keep-last", "-1")))
                .hasMessageContaining("invalid keep-last '-1'");
        assertThatThrownBy(() -> RetentionSettings.toPolicy(Map.of("keep-within", "7 days")))
                .hasMessageStartingWith("keep-within: invalid duration");
    }
}

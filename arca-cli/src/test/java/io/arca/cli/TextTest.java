package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void durationsKeepSubSecondPrecisionAndReadLikeStatus() {
        assertThat(Text.duration(Duration.ofMillis(420))).isEqualTo("0.42s");
        assertThat(Text.duration(Duration.ofMillis(3_500))).isEqualTo("3.5s");
        assertThat(Text.duration(Duration.ofMillis(63_500))).isEqualTo("1m 3.5s");
        assertThat(Text.duration(Duration.ofMinutes(65))).isEqualTo("1h 5m");
    }
}

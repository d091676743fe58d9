package io.arca.core.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelsTest {
    @Test
    void acceptsKeysOfTheDocumentedCharsetAndAnyPrintableValue() {
        Map<String, String> ok = Map.of("team", "payments", "app.kubernetes.io/name", "shop", "A_b-1", "",
                "x".repeat(Labels.MAX_KEY_LENGTH), "ünïcode värde with spaces", "n", "v".repeat(Labels.MAX_VALUE_LENGTH));
        assertThat(Labels.checkUserLabels(ok)).isSameAs(ok);
    }

    @Test
    void refusesEmptyOrOddKeys() {
        for (String key : new String[] {"", "-x", ".x", "/x", "a b", "a=b", "ä", "x".repeat(Labels.MAX_KEY_LENGTH + 1)}) {
            assertThatThrownBy(() -> Labels.checkUserLabels(Map.of(key, "x"))).as(key)
                    .isInstanceOf(UsageException.class)
                    .hasMessage("invalid label '" + key + "=x': the key must be 1 to 63 characters");
        }
    }

    @Test
    void refusesControlCharactersLongValuesReservedKeysAndTooManyLabels() {
        assertThatThrownBy(() -> Labels.checkUserLabels(Map.of("k", "a\nb"))).isInstanceOf(UsageException.class)
                .hasMessage("invalid label 'k=a?b': the value must be at most 256 characters without control characters");
        assertThatThrownBy(() -> Labels.checkUserLabels(Map.of("k", "v".repeat(257))))
                .isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Labels.checkUserLabels(Map.of("purpose", "safety")))
                .isInstanceOf(UsageException.class).hasMessageContaining("the key 'purpose' is Arca's own");
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i <= Labels.MAX_LABELS; i++) {
            many.put("k" + i, "v");
        }
        assertThatThrownBy(() -> Labels.checkUserLabels(many)).isInstanceOf(UsageException.class)
                .hasMessage("too many labels: 33, at most 32");
    }
}

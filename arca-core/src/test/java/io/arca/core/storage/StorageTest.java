package io.arca.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorageTest {

    @Test
    void keysSortByUtf8Bytes() {
        List<String> keys = new ArrayList<>(List.of("\ud83d\ude00", "\uff21", "a/b", "a", "a-b", "a0", "\u00e9", "B"));

        keys.sort(Storage::compareKeys);

        // U+FF21 sorts before U+1F600 in UTF-8, after it in UTF-16 (String.compareTo)
        assertThat(keys).containsExactly("B", "a", "a-b", "a/b", "a0", "\u00e9", "\uff21", "\ud83d\ude00");
        assertThat(Storage.compareKeys("ab", "ab")).isZero();
        assertThat(Storage.compareKeys("ab", "abc")).isNegative();
        assertThat(Storage.compareKeys("abc", "ab")).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b", ".hidden", "a/..b", "a/b.", "2026/01/24/x.json", "\u00e9t\u00e9"})
    void validKeys(String key) {
        assertThat(Storage.checkKey(key)).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a", "a/", "a//b", "a\\b", "a\0b", ".", "..", "a/./b", "a/.."})
    void invalidKeys(String key) {
        assertThatThrownBy(() -> Storage.checkKey(key)).isInstanceOf(IllegalArgumentException.class);
    }
}

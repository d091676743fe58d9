package io.arca.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ListenAddressTest {
    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:9187, 127.0.0.1, 9187, 127.0.0.1:9187",
        "0.0.0.0:80, 0.0.0.0, 80, 0.0.0.0:80",
        ":9187, 0.0.0.0, 9187, 0.0.0.0:9187",
        "'[::1]:9187', ::1, 9187, '[::1]:9187'",
        "arca.internal:0, arca.internal, 0, arca.internal:0",
    })
    void readsHostAndPort(String text, String host, int port, String written) {
        ListenAddress a = ListenAddress.parse(text);
        assertThat(a.host()).isEqualTo(host);
        assertThat(a.port()).isEqualTo(port);
        assertThat(a).hasToString(written);
        assertThat(ListenAddress.parse(a.toString())).isEqualTo(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "9187", "host:port", "1.2.3.4:70000", "::1:9187", "a b:1", ""})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> ListenAddress.parse(text)).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("invalid listen address '" + text + "'");
    }
}

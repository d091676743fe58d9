package io.arca.postgres.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Connecting never waits without bound: a server that accepts TCP and then stays silent. */
class PgConnectionsTest {

    @Test
    void aSilentServerFailsWithinTheConnectTimeoutNamingHostAndPort() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            ConnectionSettings settings = new ConnectionSettings("127.0.0.1", silent.getLocalPort(), "u", "d", "pw",
                    Map.of("connect_timeout", "2"));

            long started = System.nanoTime();
            assertThatThrownBy(() -> PgConnections.open(settings)).isInstanceOfSatisfying(ArcaException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.PG_CONNECTION);
                assertThat(e.getMessage()).isEqualTo("cannot connect to PostgreSQL at '127.0.0.1:" + silent.getLocalPort()
                        + "': no answer within 2s (connect_timeout)");
                assertThat(e.hint()).contains("connect_timeout=SECONDS");
            });
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(accepted).isNotEmpty();
            // 2 s for the login as a whole (pgjdbc may try twice: with and without TLS)
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(Duration.ofSeconds(10));
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void theConnectTimeoutFollowsLibpq() {
        assertThat(settings(Map.of()).connectTimeoutSeconds()).isEqualTo(10);
        assertThat(settings(Map.of("connect_timeout", "1")).connectTimeoutSeconds()).as("libpq's minimum").isEqualTo(2);
        assertThat(settings(Map.of("connect_timeout", "0")).connectTimeoutSeconds()).as("wait forever").isZero();
        assertThat(settings(Map.of("connect_timeout", "30")).jdbcProperties())
                .containsEntry("connectTimeout", "30").containsEntry("loginTimeout", "30")
                .doesNotContainKey("socketTimeout");
        assertThat(settings(Map.of("connect_timeout", "0")).jdbcProperties())
                .containsEntry("connectTimeout", "0").doesNotContainKey("loginTimeout");
    }

    private static ConnectionSettings settings(Map<String, String> parameters) {
        return new ConnectionSettings("h", 5432, "u", "d", null, parameters);
    }
}

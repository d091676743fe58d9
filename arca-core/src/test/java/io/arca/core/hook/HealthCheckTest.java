package io.arca.core.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Against a real HTTP server on 127.0.0.1. */
class HealthCheckTest {
    private static final Duration FAST = Duration.ofMillis(100);

    @Test
    void waitsThroughErrorsUntilTheUrlAnswers2xx() throws Exception {
        try (HealthServer server = new HealthServer(n -> n < 3 ? 503 : 204)) {
            RecordingProgress progress = new RecordingProgress();
            new HealthCheck(server.url("/health"), Duration.ofSeconds(30), FAST).after(true, progress);

            assertThat(server.requests()).isEqualTo(3);
            assertThat(progress.notes()).anySatisfy(n -> assertThat(n)
                    .startsWith("'" + server.url("/health") + "' answered 204 after"));
        }
    }

    @Test
    void followsRedirects() throws Exception {
        try (HealthServer server = new HealthServer(n -> 200)) {
            new HealthCheck(server.url("/moved"), Duration.ofSeconds(30), FAST).after(true, new RecordingProgress());
            assertThat(server.requests()).isEqualTo(1);
        }
    }

    @Test
    void failsWhenNo2xxCameInTimeNamingTheUrlAndTheLastStatus() throws Exception {
        try (HealthServer server = new HealthServer(n -> 500 + n % 2)) {
            HealthCheck check = new HealthCheck(server.url("/health"), Duration.ofSeconds(1), FAST);
            long start = System.nanoTime();

            assertThatThrownBy(() -> check.after(true, new RecordingProgress()))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.HOOK_FAILED);
                        assertThat(e.getMessage()).startsWith("'" + server.url("/health")
                                + "' did not answer 2xx within 1s (").contains("; last: status 50");
                    });

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // no try starts after the deadline, and none lasts much beyond it
            assertThat(took).isBetween(Duration.ofMillis(800), Duration.ofSeconds(5));
            assertThat(server.requests()).isGreaterThan(3);
        }
    }

    @Test
    void aServerThatDoesNotAnswerCountsAsNoAnswerAndTheWaitStaysBounded() throws Exception {
        try (HealthServer server = new HealthServer(n -> 0)) {
            HealthCheck check = new HealthCheck(server.url("/health"), Duration.ofSeconds(1), FAST);
            long start = System.nanoTime();

            assertThatThrownBy(() -> check.after(true, new RecordingProgress()))
                    .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.getMessage())
                            .contains("last: no answer within"));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void nothingListeningIsReportedAsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HealthCheck check = new HealthCheck("http://127.0.0.1:" + port + "/health/ready", Duration.ofMillis(500), FAST);
        assertThatThrownBy(() -> check.after(true, new RecordingProgress()))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.getMessage())
                        .startsWith("'http://127.0.0.1:" + port + "/health/ready' did not answer 2xx within 500ms")
                        .contains("last: connection refused"));
    }

    @Test
    void checksNothingAfterFailedWork() throws Exception {
        try (HealthServer server = new HealthServer(n -> 200)) {
            RecordingProgress progress = new RecordingProgress();
            new HealthCheck(server.url("/health"), Duration.ofSeconds(30), FAST).after(false, progress);
            new HealthCheck(server.url("/health"), Duration.ofSeconds(30), FAST).before(progress);
            assertThat(server.requests()).isZero();
            assertThat(progress.notes()).containsExactly("not waiting for '" + server.url("/health")
                    + "' to answer: the work failed");
        }
    }

    @Test
    void onlyHttpUrlsAreAccepted() {
        assertThatThrownBy(() -> new HealthCheck("ftp://host/x", Duration.ofMinutes(1)))
                .isInstanceOf(UsageException.class).hasMessageContaining("not an http:// or https:// URL");
        assertThatThrownBy(() -> new HealthCheck("localhost:8080/health", Duration.ofMinutes(1)))
                .isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> new HealthCheck("http://host/ x", Duration.ofMinutes(1)))
                .isInstanceOf(UsageException.class).hasMessageContaining("is not a URL");
        assertThatThrownBy(() -> new HealthCheck("http://host/", Duration.ZERO)).isInstanceOf(UsageException.class);
    }
}

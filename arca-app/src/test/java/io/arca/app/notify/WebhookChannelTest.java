package io.arca.app.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The webhook channel and the retries, against a real HTTP receiver on 127.0.0.1. */
class WebhookChannelTest {
    private static final byte[] KEY = "whsec-for-the-tests".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-03-01T02:10:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final Delivery delivery = new Delivery(new Delivery.Policy(5, Duration.ofSeconds(1),
            Duration.ofSeconds(4)), sleeps::add);

    @Test
    void postsTheRunAsJsonSignedWithTheKey() throws Exception {
        try (Receiver receiver = Receiver.always(204)) {
            Delivery.Result result = delivery.deliver(channel(receiver.url("/hooks/arca")), failure());
            assertThat(result).isEqualTo(new Delivery.Result(true, 1, null));

            Receiver.Request r = receiver.requests().get(0);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/hooks/arca");
            assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
            assertThat(r.header("User-Agent")).startsWith("arca/");
            assertThat(r.header("X-Arca-Event")).isEqualTo("failure");
            assertThat(r.header("X-Arca-Timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond()));
            assertThat(r.header("X-Arca-Signature")).matches("sha256=[0-9a-f]{64}");

            String ts = r.header("X-Arca-Timestamp");
            String sig = r.header("X-Arca-Signature");
            assertThat(WebhookSignature.verify(KEY, ts, sig, r.body(), NOW, Duration.ofMinutes(5))).isTrue();
            assertThat(WebhookSignature.verify("another-key".getBytes(StandardCharsets.UTF_8), ts, sig, r.body(), NOW,
                    Duration.ofMinutes(5))).as("another key").isFalse();
            byte[] altered = r.text().replace("failed", "succeeded").getBytes(StandardCharsets.UTF_8);
            assertThat(WebhookSignature.verify(KEY, ts, sig, altered, NOW, Duration.ofMinutes(5))).as("altered")
                    .isFalse();
            assertThat(WebhookSignature.verify(KEY, ts, sig, r.body(), NOW.plusSeconds(301), Duration.ofMinutes(5)))
                    .as("replayed after 5 minutes").isFalse();

            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("version").asInt()).isEqualTo(1);
            assertThat(body.get("id").asText()).isEqualTo(r.header("X-Arca-Delivery"));
            assertThat(body.get("event").asText()).isEqualTo("failure");
            assertThat(body.get("subject").asText()).isEqualTo("app");
            assertThat(body.get("job").asText()).isEqualTo("backup");
            assertThat(body.get("runId").asText()).isEqualTo("20260301T020000Z-00000000");
            assertThat(body.get("outcome").asText()).isEqualTo("failed");
            assertThat(body.get("errorCode").asText()).isEqualTo("ARCA-1500");
            assertThat(body.get("exitCode").asInt()).isEqualTo(14);
            assertThat(body.get("message").asText()).startsWith("cannot connect to 'db.internal:5432'");
            assertThat(body.get("startedAt").asText()).isEqualTo("2026-03-01T02:00:00Z");
            assertThat(body.get("finishedAt").asText()).isEqualTo("2026-03-01T02:00:03Z");
            assertThat(body.get("durationSeconds").asDouble()).isEqualTo(3.0);
            assertThat(body.get("backupId").isNull()).isTrue();
            assertThat(body.get("host").asText()).isEqualTo("db-1");
            assertThat(body.get("previous").isNull()).isTrue();
            assertThat(body.get("objectives")).isEmpty();
            assertThat(body.get("title").asText()).isEqualTo("backup of app failed (ARCA-1500)");
            assertThat(body.get("at").asText()).isEqualTo("2026-03-01T02:10:00Z");
        }
    }

    @Test
    void aRecoveryNamesTheFailedRunBeforeIt() throws Exception {
        try (Receiver receiver = Receiver.always(200)) {
            Notice recovery = Notice.recovery(Runs.succeeded("app", 10), Runs.failed("app", 0), NOW);
            assertThat(delivery.deliver(channel(receiver.url("/")), recovery).sent()).isTrue();
            JsonNode body = JSON.readTree(receiver.requests().get(0).body());
            assertThat(body.get("event").asText()).isEqualTo("recovery");
            assertThat(body.get("outcome").asText()).isEqualTo("succeeded");
            assertThat(body.get("errorCode").isNull()).isTrue();
            assertThat(body.get("backupId").asText()).isEqualTo("20260301T020000Z-0a1b2c3d");
            assertThat(body.get("bytes").asLong()).isEqualTo(1_234_567L);
            assertThat(body.get("storedBytes").asLong()).isEqualTo(345_678L);
            assertThat(body.get("previous").get("runId").asText()).isEqualTo("20260301T020000Z-00000000");
            assertThat(body.get("previous").get("outcome").asText()).isEqualTo("failed");
            assertThat(body.get("previous").get("errorCode").asText()).isEqualTo("ARCA-1500");
        }
    }

    @Test
    void retriesAfterServerErrorsWithTheSameDeliveryId() throws Exception {
        try (Receiver receiver = new Receiver(n -> Receiver.Answer.of(n < 3 ? (n == 1 ? 500 : 503) : 200))) {
            Delivery.Result result = delivery.deliver(channel(receiver.url("/")), failure());
            assertThat(result).isEqualTo(new Delivery.Result(true, 3, null));
            assertThat(receiver.requests()).hasSize(3);
            assertThat(receiver.requests()).extracting(r -> r.header("X-Arca-Delivery")).containsOnly(
                    receiver.requests().get(0).header("X-Arca-Delivery"));
            assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        }
    }

    @Test
    void aClientErrorIsNotRetried() throws Exception {
        try (Receiver receiver = new Receiver(n -> new Receiver.Answer(400, "missing field subject", null))) {
            Delivery.Result result = delivery.deliver(channel(receiver.url("/")), failure());
            assertThat(result.sent()).isFalse();
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(result.error()).isEqualTo("webhook notifications[0] (" + origin(receiver)
                    + ") answered 400: missing field subject");
            assertThat(receiver.requests()).hasSize(1);
            assertThat(sleeps).isEmpty();
        }
    }

    @Test
    void theBackoffDoublesUpToItsBoundAndTheAttemptsEnd() throws Exception {
        try (Receiver receiver = Receiver.always(500)) {
            Delivery.Result result = delivery.deliver(channel(receiver.url("/")), failure());
            assertThat(result.sent()).isFalse();
            assertThat(result.attempts()).isEqualTo(5);
            assertThat(result.error()).endsWith("answered 500: status 500");
            assertThat(receiver.requests()).hasSize(5);
            assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                    Duration.ofSeconds(4));
        }
    }

    @Test
    void tooManyRequestsWaitsAsAskedUpToTheBound() throws Exception {
        try (Receiver receiver = new Receiver(n -> switch (n) {
            case 1 -> new Receiver.Answer(429, "slow down", "3");
            case 2 -> new Receiver.Answer(429, "slow down", "3600");
            default -> Receiver.Answer.of(200);
        })) {
            assertThat(delivery.deliver(channel(receiver.url("/")), failure()).attempts()).isEqualTo(3);
            assertThat(sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(4));
        }
    }

    @Test
    void secretsStayOutOfErrors() throws Exception {
        String token = "T0KEN-in-the-path";
        try (Receiver receiver = new Receiver(n -> new Receiver.Answer(401,
                "bad signature for /hooks/" + token + " with key whsec-for-the-tests", null))) {
            Delivery.Result result = delivery.deliver(channel(receiver.url("/hooks/" + token)), failure());
            assertThat(result.error()).contains("answered 401").doesNotContain(token)
                    .doesNotContain("whsec-for-the-tests");
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        Delivery.Result result = delivery.deliver(channel(URI.create("http://127.0.0.1:" + closed + "/hooks/" + token
                + "?key=" + token)), failure());
        assertThat(result.sent()).isFalse();
        assertThat(result.attempts()).as("a refused connection is retried").isEqualTo(5);
        assertThat(result.error()).contains("could not be reached").doesNotContain(token);
    }

    @Test
    void unsignedWithoutAKey() throws Exception {
        try (Receiver receiver = Receiver.always(200)) {
            WebhookChannel unsigned = new WebhookChannel("notifications[0]", receiver.url("/"), null, http, CLOCK,
                    Duration.ofSeconds(10));
            assertThat(delivery.deliver(unsigned, failure()).sent()).isTrue();
            assertThat(receiver.requests().get(0).header("X-Arca-Signature")).isNull();
            assertThat(receiver.requests().get(0).header("X-Arca-Timestamp")).isNull();
        }
    }

    private WebhookChannel channel(URI url) {
        return new WebhookChannel("notifications[0]", url, KEY, http, CLOCK, Duration.ofSeconds(10));
    }

    private static Notice failure() {
        return Notice.failure(Runs.failed("app", 0), NOW);
    }

    private static String origin(Receiver receiver) throws IOException {
        URI u = receiver.url("/");
        return "http://127.0.0.1:" + u.getPort();
    }
}

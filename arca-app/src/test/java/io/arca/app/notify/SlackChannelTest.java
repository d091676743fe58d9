package io.arca.app.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arca.app.config.ArcaConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The Slack channel, configured as in {@code arca.yaml} (its URL, a secret, from the environment),
 * against a receiver shaped like Slack's incoming webhooks: 200 {@code ok}, or an error word.
 */
class SlackChannelTest {
    private static final String TOKEN_PATH = "/services/T0001/B0002/s3cr3tT0k3n";
    private static final Instant NOW = Instant.parse("2026-03-01T02:10:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> logs = new CopyOnWriteArrayList<>();

    @Test
    void postsAReadableMessage() throws Exception {
        try (Receiver slack = new Receiver(n -> new Receiver.Answer(200, "ok", null))) {
            try (Notifier notifier = notifier(slack)) {
                notifier.notify(Notice.failure(Runs.failed("app", 0), NOW));
                notifier.notify(Notice.recovery(Runs.succeeded("app", 10), Runs.failed("app", 0), NOW));
            }
            assertThat(logs).isEmpty();
            List<Receiver.Request> got = slack.requests();
            assertThat(got).extracting(Receiver.Request::path).containsOnly(TOKEN_PATH);
            assertThat(got.get(0).header("Content-Type")).startsWith("application/json");

            JsonNode failure = JSON.readTree(got.get(0).body());
            assertThat(failure.get("text").asText()).isEqualTo("backup of app failed (ARCA-1500)");
            JsonNode blocks = failure.get("blocks");
            assertThat(blocks.get(0).get("type").asText()).isEqualTo("header");
            assertThat(blocks.get(0).get("text").get("type").asText()).isEqualTo("plain_text");
            assertThat(blocks.get(0).get("text").get("text").asText()).endsWith("backup of app failed (ARCA-1500)");
            assertThat(blocks.get(1).get("type").asText()).isEqualTo("section");
            // Slack's control characters are escaped
            assertThat(blocks.get(1).get("text").get("text").asText())
                    .isEqualTo("cannot connect to 'db.internal:5432': connection refused &lt;retry later&gt;");
            List<String> fields = new ArrayList<>();
            blocks.get(2).get("fields").forEach(f -> fields.add(f.get("text").asText()));
            assertThat(fields).contains("*subject*\napp", "*job*\nbackup", "*run*\n20260301T020000Z-00000000",
                    "*error code*\nARCA-1500", "*host*\ndb-1");
            assertThat(blocks.get(3).get("type").asText()).isEqualTo("context");

            JsonNode recovery = JSON.readTree(got.get(1).body());
            assertThat(recovery.get("text").asText()).isEqualTo("backup of app succeeded again");
            List<String> recoveryFields = new ArrayList<>();
            recovery.get("blocks").forEach(b -> {
                if (b.has("fields")) {
                    b.get("fields").forEach(f -> recoveryFields.add(f.get("text").asText()));
                }
            });
            assertThat(recoveryFields).contains("*backup*\n20260301T020000Z-0a1b2c3d")
                    .anySatisfy(f -> assertThat(f).startsWith("*previous run*\n20260301T020000Z-00000000 failed"));
        }
    }

    @Test
    void aRefusalIsLoggedWithoutTheUrl() throws Exception {
        try (Receiver slack = new Receiver(n -> new Receiver.Answer(404, "no_service", null))) {
            try (Notifier notifier = notifier(slack)) {
                notifier.notify(Notice.failure(Runs.failed("app", 0), NOW));
            }
            assertThat(slack.requests()).as("a 404 is not retried").hasSize(1);
            assertThat(logs).singleElement().asString()
                    .startsWith("notification failure for backup of app (run 20260301T020000Z-00000000) via slack "
                            + "notifications[0] (http://127.0.0.1:")
                    .endsWith("failed after 1 attempt: slack notifications[0] (" + "http://127.0.0.1:"
                            + slack.url("/").getPort() + ") answered 404: no_service")
                    .doesNotContain("s3cr3tT0k3n");
        }
    }

    @Test
    void rateLimitsAreRetried() throws Exception {
        try (Receiver slack = new Receiver(n -> n == 1 ? new Receiver.Answer(429, "rate_limited", "1")
                : new Receiver.Answer(200, "ok", null))) {
            try (Notifier notifier = notifier(slack)) {
                notifier.notify(Notice.objectiveMissed("app", List.of(new ObjectiveMiss("rpo", "40h > 36h")), "srv",
                        NOW));
            }
            assertThat(slack.requests()).hasSize(2);
            assertThat(logs).isEmpty();
            JsonNode body = JSON.readTree(slack.requests().get(1).body());
            assertThat(body.get("text").asText()).isEqualTo("app misses its objectives (rpo)");
            assertThat(body.get("blocks").get(1).get("text").get("text").asText())
                    .isEqualTo("• *rpo*: 40h &gt; 36h");
        }
    }

    private Notifier notifier(Receiver slack) {
        ArcaConfig config = new ArcaConfig(Map.of(), Map.of(), List.of(new ArcaConfig.Notification("slack", null,
                "SLACK_WEBHOOK_URL", null, null, null, null, null, null)), null, null);
        Map<String, String> env = Map.of("SLACK_WEBHOOK_URL", slack.url(TOKEN_PATH).toString());
        Notifier.Options options = Notifier.Options.defaults().withRetry(new Delivery.Policy(3, Duration.ZERO,
                Duration.ofSeconds(2)), d -> { });
        return Notifier.from(config, env, PreviousOutcomes.NONE, CLOCK, logs::add, options);
    }
}

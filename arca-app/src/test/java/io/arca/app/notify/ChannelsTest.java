package io.arca.app.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Channels from {@code arca.yaml} entries: what is accepted, and errors that name the entry but no secret. */
class ChannelsTest {
    @TempDir
    Path dir;

    @Test
    void buildsEachKindWithItsEvents() throws Exception {
        Path secret = dir.resolve("hook.key");
        Files.writeString(secret, "file-secret\n");
        List<Route> routes = routes(Map.of("SLACK_URL", "https://hooks.slack.com/services/T1/B2/xyz", "PW", "pw"),
                new ArcaConfig.Notification("webhook", "https://hooks.example.com/arca?token=abc", null, null,
                        secret.toString(), List.of("failure", "recovery"), null, null, null),
                new ArcaConfig.Notification("slack", null, "SLACK_URL", null, null, null, null, null, null),
                new ArcaConfig.Notification("email", null, null, null, null, List.of("objective"),
                        new ArcaConfig.Smtp("smtp.example.com", null, null, "arca", "PW", null), "arca@example.com",
                        List.of("ops@example.com")));
        assertThat(routes).extracting(r -> r.channel().describe()).containsExactly(
                "webhook notifications[0] (https://hooks.example.com)",
                "slack notifications[1] (https://hooks.slack.com)",
                "email notifications[2] (smtp smtp.example.com:587)");
        assertThat(routes.get(0).on()).isEqualTo(Set.of(Notice.Category.FAILURE, Notice.Category.RECOVERY));
        assertThat(routes.get(1).on()).as("no on: everything").isEqualTo(Set.of(Notice.Category.values()));
        assertThat(routes.get(2).on()).isEqualTo(Set.of(Notice.Category.OBJECTIVE));
    }

    @Test
    void errorsNameTheEntryAndNeverTheSecret() {
        String slackUrl = "https://hooks.slack.com/services/T1/B2/s3cret";
        assertThatThrownBy(() -> routes(Map.of(), new ArcaConfig.Notification("slack", null, "SLACK_URL", null, null,
                null, null, null, null)))
                .isInstanceOf(UsageException.class)
                .hasMessage("notifications[0] (slack): environment variable 'SLACK_URL' (urlEnv) is not set");
        assertThatThrownBy(() -> routes(Map.of("SLACK_URL", "hooks.slack.com/services/T1/B2/s3cret"),
                new ArcaConfig.Notification("slack", null, "SLACK_URL", null, null, null, null, null, null)))
                .hasMessage("notifications[0] (slack): the url is not an http or https URL");
        assertThatThrownBy(() -> routes(Map.of(), webhookTo(slackUrl, List.of("failures"))))
                .hasMessage("notifications[0] (webhook): unknown event 'failures' in on")
                .satisfies(e -> assertThat(((UsageException) e).hint()).contains("failure, recovery or objective"));
        assertThatThrownBy(() -> routes(Map.of(), new ArcaConfig.Notification("pager", null, null, null, null, null,
                null, null, null))).hasMessage("notifications[0]: unknown type 'pager'");
        assertThatThrownBy(() -> routes(Map.of(), new ArcaConfig.Notification("webhook", slackUrl, null, "HOOK_KEY",
                null, null, null, null, null)))
                .hasMessage("notifications[0] (webhook): environment variable 'HOOK_KEY' (secretEnv) is not set");
        assertThatThrownBy(() -> routes(Map.of(), new ArcaConfig.Notification("webhook", null, null, null, null,
                null, null, null, null))).hasMessage("notifications[0] (webhook): url is missing");
        assertThatThrownBy(() -> routes(Map.of(), new ArcaConfig.Notification("webhook", slackUrl, null, null,
                dir.resolve("missing.key").toString(), null, null, null, null)))
                .hasMessageStartingWith("notifications[0] (webhook): cannot read '")
                .hasMessageEndingWith("missing.key' (secretFile): NoSuchFileException");
    }

    @Test
    void emailEntriesAreChecked() {
        ArcaConfig.Smtp smtp = new ArcaConfig.Smtp("smtp.example.com", 587, "required", "arca", "PW", null);
        Map<String, String> env = Map.of("PW", "pw");
        assertThatThrownBy(() -> routes(env, email(null, "arca@example.com", List.of("ops@example.com"))))
                .hasMessage("notifications[0] (email): smtp.host is missing");
        assertThatThrownBy(() -> routes(env, email(smtp, null, List.of("ops@example.com"))))
                .hasMessage("notifications[0] (email): from is missing");
        assertThatThrownBy(() -> routes(env, email(smtp, "arca@example.com", List.of())))
                .hasMessage("notifications[0] (email): to is missing");
        assertThatThrownBy(() -> routes(env, email(smtp, "arca@example.com", List.of("not an address"))))
                .hasMessage("notifications[0] (email): 'not an address' in to is not an email address");
        assertThatThrownBy(() -> routes(env, email(new ArcaConfig.Smtp("smtp.example.com", 587, "always", null,
                null, null), "arca@example.com", List.of("ops@example.com"))))
                .hasMessage("notifications[0] (email): unknown smtp.starttls 'always'");
        assertThatThrownBy(() -> routes(Map.of(), email(new ArcaConfig.Smtp("smtp.example.com", 587, null, "arca",
                null, null), "arca@example.com", List.of("ops@example.com"))))
                .hasMessage("notifications[0] (email): smtp.username is set but no password");
    }

    private static ArcaConfig.Notification webhookTo(String url, List<String> on) {
        return new ArcaConfig.Notification("webhook", url, null, null, null, on, null, null, null);
    }

    private static ArcaConfig.Notification email(ArcaConfig.Smtp smtp, String from, List<String> to) {
        return new ArcaConfig.Notification("email", null, null, null, null, null, smtp, from, to);
    }

    private static List<Route> routes(Map<String, String> env, ArcaConfig.Notification... entries) throws Exception {
        return Channels.routes(List.of(entries), env, HttpClient::newHttpClient, SSLContext.getDefault(),
                Clock.systemUTC(), Duration.ofSeconds(10));
    }
}

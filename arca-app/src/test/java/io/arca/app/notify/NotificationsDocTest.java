package io.arca.app.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/notifications.md} is true to the code: its example body has the real body's fields,
 * its verification snippets (Python, shell with openssl) accept a request Arca really sent and
 * refuse an altered one, and the retry numbers it gives are the defaults.
 */
class NotificationsDocTest {
    private static final String DOC = "notifications.md";
    private static final String SECRET = "whsec-doc-test-3f9a";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theExampleBodyHasTheFieldsOfARealOne() throws Exception {
        Receiver.Request sent = sendRecovery();
        JsonNode real = JSON.readTree(sent.body());
        JsonNode example = JSON.readTree(block("webhook-body", "json"));
        assertThat(names(example)).isEqualTo(names(real));
        assertThat(names(example.get("previous"))).isEqualTo(names(real.get("previous")));
        assertThat(example.get("version")).isEqualTo(real.get("version"));
        String doc = Files.readString(docs().resolve(DOC));
        for (String field : names(real)) {
            assertThat(doc).as("the field table names %s", field).contains("`" + field + "`");
        }
    }

    @Test
    void thePythonSnippetVerifiesARealRequest() throws Exception {
        Receiver.Request sent = sendRecovery();
        Path script = dir.resolve("verify.py");
        Files.writeString(script, block("verify-python", "python") + """

                import os, sys
                body = open(sys.argv[1], "rb").read()
                print(verify(os.environ["ARCA_WEBHOOK_SECRET"].encode(), os.environ["TIMESTAMP"],
                             os.environ["SIGNATURE"], body))
                """);
        assertThat(run(sent, body(sent.body()), "python3", script.toString(), "body.json")).isEqualTo("True");
        assertThat(run(sent, body(altered(sent)), "python3", script.toString(), "body.json")).isEqualTo("False");
    }

    @Test
    void theShellSnippetVerifiesARealRequest() throws Exception {
        Receiver.Request sent = sendRecovery();
        String snippet = block("verify-shell", "sh");
        assertThat(run(sent, body(sent.body()), "bash", "-c", snippet)).isEqualTo("verified");
        assertThat(run(sent, body(altered(sent)), "bash", "-c", snippet)).isEqualTo("exit 1");
    }

    @Test
    void theRetryNumbersAreTheDefaults() throws Exception {
        String doc = Files.readString(docs().resolve(DOC));
        Notifier.Options defaults = Notifier.Options.defaults();
        Delivery.Policy p = defaults.retry();
        assertThat(doc).contains("up to " + p.maxAttempts() + " attempts in all, waiting "
                + p.delay(1).toSeconds() + ", " + p.delay(2).toSeconds() + ", " + p.delay(3).toSeconds() + " and "
                + p.delay(4).toSeconds() + " seconds (doubling,\n  at most " + p.maxDelay().toSeconds() + " s");
        assertThat(doc).contains("timeouts (" + defaults.timeout().toSeconds() + " s per attempt)");
        assertThat(doc).contains("waits up to " + defaults.closeTimeout().toSeconds() + " seconds");
    }

    private Receiver.Request sendRecovery() throws Exception {
        try (Receiver receiver = Receiver.always(200)) {
            WebhookChannel channel = new WebhookChannel("notifications[0]", receiver.url("/arca"),
                    SECRET.getBytes(StandardCharsets.UTF_8), HttpClient.newHttpClient(), Clock.systemUTC(),
                    Duration.ofSeconds(10));
            Notice recovery = Notice.recovery(Runs.succeeded("app", 10), Runs.failed("app", 0), Instant.now());
            channel.send(recovery, "5d0e8c62-3f5a-4a8e-9d1b-2b7c5e0f4a11");
            return receiver.requests().get(0);
        }
    }

    private Path body(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("body.json"), bytes);
    }

    private static byte[] altered(Receiver.Request r) {
        return r.text().replace("\"succeeded\"", "\"failed\"").getBytes(StandardCharsets.UTF_8);
    }

    /** Runs a command in the temp dir with the request's headers in the environment; its output, or "exit N". */
    private String run(Receiver.Request sent, Path body, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(body.getParent().toFile()).redirectErrorStream(false);
        Map<String, String> env = pb.environment();
        env.put("ARCA_WEBHOOK_SECRET", SECRET);
        env.put("TIMESTAMP", sent.header("X-Arca-Timestamp"));
        env.put("SIGNATURE", sent.header("X-Arca-Signature"));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return fail(command[0] + " is needed to run the snippets of docs/" + DOC
                    + ": install it (apt-get install " + (command[0].equals("python3") ? "python3" : "bash openssl")
                    + ")", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (err.contains("not found") || err.contains("No such file")) {
            fail("a program the snippet needs is missing (install openssl): " + err);
        }
        return p.exitValue() == 0 ? out : "exit " + p.exitValue();
    }

    /** The first fenced block of {@code lang} after {@code <!-- marker -->}. */
    private static String block(String marker, String lang) throws IOException {
        String text = Files.readString(docs().resolve(DOC));
        int at = text.indexOf("<!-- " + marker + " -->");
        assertThat(at).as("marker %s in %s", marker, DOC).isNotNegative();
        String fence = "```" + lang + "\n";
        int start = text.indexOf(fence, at);
        assertThat(start).as("a %s block after %s", lang, marker).isNotNegative();
        start += fence.length();
        return text.substring(start, text.indexOf("```", start));
    }

    private static Path docs() {
        return Path.of(System.getProperty("arca.docs", "../docs"));
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            names.add(it.next());
        }
        return names;
    }
}

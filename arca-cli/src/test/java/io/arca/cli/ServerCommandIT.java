package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arca server} as users start it: a process reading {@code arca.yaml}, serving HTTP until
 * SIGTERM, then exiting 0; a file with errors stops it at once with exit 2.
 */
class ServerCommandIT {
    private static final Pattern LISTENING = Pattern.compile("server: listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void servesUntilSigtermThenExitsZero() throws Exception {
        Path repo = dir.resolve("repo");
        ArcaRun init = ArcaRun.of("init", "--repo", repo.toString());
        assertThat(init.exit()).as(init.toString()).isZero();
        Path config = Files.writeString(dir.resolve("arca.yaml"), """
                repositories:
                  main:
                    url: %s
                subjects:
                  app:
                    repositories: [main]
                    database: postgresql://arca@127.0.0.1:1/app
                server:
                  shutdown: finish
                  shutdownGrace: 30s
                """.formatted(repo));
        Path log = dir.resolve("server.log");

        Process server = ArcaProcess.start(Map.of(), log, "server", "--config", config.toString(), "--listen",
                "127.0.0.1:0");
        try {
            int port = port(server, log);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);

            server.destroy(); // SIGTERM

            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            assertThat(server.exitValue()).as(Files.readString(log)).isZero();
            String text = Files.readString(log);
            assertThat(text).contains("server: shutting down (finish): 0 run(s) active").contains("server: stopped")
                    .doesNotContain("error:");
            assertThat(text.lines()).allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ .*")
                    || l.startsWith("SLF4J"));
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void aConfigurationWithErrorsExits2AndSaysWhere() throws IOException {
        Path config = Files.writeString(dir.resolve("arca.yaml"), """
                repositories:
                  main:
                    url: /tmp/nowhere
                subjects:
                  app:
                    repositories: [mian]
                    schedules:
                      backup: "0 25 * * *"
                """);

        ArcaRun r = ArcaRun.of("server", "--config", config.toString(), "--listen", "127.0.0.1:0");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("mian").contains("0 25 * * *");
    }

    @Test
    void aMissingFileExits2() {
        ArcaRun r = ArcaRun.of("server", "--config", dir.resolve("none.yaml").toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("none.yaml");
    }

    /** The port from the server's first log line, waiting up to 60 s for it. */
    private static int port(Process server, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!server.isAlive()) {
                break;
            }
            server.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("no 'listening on' line; the log:\n" + Files.readString(log));
    }
}

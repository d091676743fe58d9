package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * CronJob mode announces what the server would: {@code arca backup --config arca.yaml} with a
 * webhook in the file sends a signed failure notice when the database is down, and a recovery
 * notice when the next backup succeeds (the previous outcome comes from the run records, not from
 * the process, which is a new one each time).
 */
class CronJobNotificationIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final String SECRET = "cronjob-hmac-key";

    @TempDir
    Path dir;

    private HttpServer receiver;
    private final List<Map.Entry<Map<String, List<String>>, String>> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(Map.entry(exchange.getRequestHeaders(), body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void aFailedBackupIsAnnouncedAndSoIsItsRecovery() throws Exception {
        String database = PG.createDatabase("shop");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String yaml = """
                repositories:
                  main: {url: %s}
                subjects:
                  shop:
                    repositories: [main]
                    database: postgresql://postgres@127.0.0.1:%d/%s
                notifications:
                  - type: webhook
                    url: http://127.0.0.1:%d/hook
                    secretEnv: HOOK_SECRET
                """;
        Path repo = dir.resolve("repo");
        Path down = Files.writeString(dir.resolve("down.yaml"),
                yaml.formatted(repo, closedPort, database, receiver.getAddress().getPort()));
        Path up = Files.writeString(dir.resolve("up.yaml"),
                yaml.formatted(repo, PG.cluster().port(), database, receiver.getAddress().getPort()));
        Map<String, String> env = Map.of("PGPASSWORD", PG.cluster().password(), "HOOK_SECRET", SECRET);
        assertThat(ArcaProcess.run(env, "init", "--config", up.toString()).exit()).isZero();

        ArcaRun failed = ArcaProcess.run(env, "backup", "--config", down.toString(), "--subject", "shop");
        assertThat(failed.exit()).as(failed.toString()).isEqualTo(14);
        // the process waited for the notice before it exited
        assertThat(received).hasSize(1);
        JsonNode failure = verified(received.get(0));
        assertThat(failure.get("event").asText()).isEqualTo("failure");
        assertThat(failure.get("subject").asText()).isEqualTo("shop");
        assertThat(failure.get("job").asText()).isEqualTo("backup");
        assertThat(failure.get("errorCode").asText()).isEqualTo("ARCA-1500");
        assertThat(failure.toString()).doesNotContain(PG.cluster().password()).doesNotContain(SECRET);

        ArcaRun ok = ArcaProcess.run(env, "backup", "--config", up.toString(), "--subject", "shop");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(received).hasSize(2);
        JsonNode recovery = verified(received.get(1));
        assertThat(recovery.get("event").asText()).isEqualTo("recovery");
        assertThat(recovery.get("subject").asText()).isEqualTo("shop");

        // a second success is no news
        assertThat(ArcaProcess.run(env, "backup", "--config", up.toString(), "--subject", "shop").exit()).isZero();
        assertThat(received).hasSize(2);
    }

    /** The body, after checking its signature as docs/notifications.md tells a receiver to. */
    private static JsonNode verified(Map.Entry<Map<String, List<String>>, String> request) throws Exception {
        Map<String, List<String>> headers = request.getKey();
        String timestamp = header(headers, "X-arca-timestamp");
        String signature = header(headers, "X-arca-signature");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((timestamp + "." + request.getValue()).getBytes(StandardCharsets.UTF_8));
        assertThat(signature).isEqualTo("sha256=" + java.util.HexFormat.of().formatHex(expected));
        return new ObjectMapper().readTree(request.getValue());
    }

    private static String header(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                .map(e -> e.getValue().get(0)).orElseThrow(() -> new AssertionError("no header " + name));
    }
}

package io.arca.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code arca} service as the container starts it: the real {@code arca server} (the shaded
 * jar of arca-cli) with the stack's very {@code arca.yaml} and the service's environment (from
 * {@code .env.example}) starts, and the service's healthcheck command, run by bash as Docker
 * runs it, passes against it, and fails where nothing healthy answers. Only the address differs
 * from the container: {@code --listen} on a free loopback port, and the probe pointed there.
 * MinIO and PostgreSQL are not running: the server starts without them (its first backup fails,
 * which this test does not wait for).
 */
class ComposeHealthcheckIT {
    private static final Duration START = Duration.ofSeconds(60);

    private final ComposeStack stack = ComposeStack.load();

    @Test
    void theHealthcheckPassesAgainstArcaServerWithTheStacksConfig(@TempDir Path tmp) throws Exception {
        Path jar = ComposeStack.deployDir().resolveSibling("arca-cli").resolve("target").resolve("arca.jar");
        assertThat(jar).as("arca-cli's shaded jar (mvn package -pl arca-cli -am)").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        int port = freePort();
        List<String> command = stack.words(stack.service("arca").path("command"));
        List<String> probe = stack.words(stack.service("arca").at("/healthcheck/test"));
        assertThat(probe.get(0)).isEqualTo("CMD");
        String script = probe.get(3);
        assertThat(script).contains("/dev/tcp/127.0.0.1/9187");

        ProcessBuilder pb = new ProcessBuilder();
        pb.command().addAll(List.of(java, "-jar", jar.toString()));
        for (String a : command) {
            pb.command().add(a.equals("/etc/arca/arca.yaml") ? stack.mountAt("arca", a).hostPath().toString() : a);
        }
        pb.command().add("--listen=127.0.0.1:" + port);
        pb.environment().keySet().removeIf(k -> k.startsWith("ARCA_") || k.startsWith("AWS_") || k.startsWith("PG"));
        pb.environment().putAll(stack.environment("arca"));
        Path log = tmp.resolve("server.log");
        pb.directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Process server = pb.start();
        try {
            Instant deadline = Instant.now().plus(START);
            while (!Files.readString(log).contains("server: listening on")) {
                assertThat(server.isAlive()).as("arca server exited %s:%n%s", server.isAlive() ? "" : server.exitValue(),
                        Files.readString(log)).isTrue();
                assertThat(Instant.now()).as("arca server listening within %s:%n%s", START, Files.readString(log))
                        .isBefore(deadline);
                Thread.sleep(100);
            }
            String here = script.replace("/127.0.0.1/9187", "/127.0.0.1/" + port);
            ComposeStack.ToolResult healthy = ComposeStack.run("bash", tmp, probe.get(1), probe.get(2), here);
            assertThat(healthy.exitCode()).as("healthcheck against arca server:%n%s%nserver log:%n%s", healthy.output(),
                    Files.readString(log)).isZero();
            // the probe tells a non-200 answer: another path on the same server
            ComposeStack.ToolResult notFound = ComposeStack.run("bash", tmp, probe.get(1), probe.get(2),
                    here.replace("GET /healthz ", "GET /no-such-path "));
            assertThat(notFound.exitCode()).as("the probe on a path that is not 200").isNotZero();
        } finally {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
        // and nothing listening
        ComposeStack.ToolResult down = ComposeStack.run("bash", tmp, probe.get(1), probe.get(2),
                script.replace("/127.0.0.1/9187", "/127.0.0.1/" + port));
        assertThat(down.exitCode()).as("the probe with no server").isNotZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

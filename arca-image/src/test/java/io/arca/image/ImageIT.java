package io.arca.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import io.arca.testkit.pg.DatabaseAssertions;
import io.arca.testkit.pg.DatabaseFingerprint;
import io.arca.testkit.pg.SampleDataset;
import io.arca.testkit.pg.ZonkyBinaries;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built image under podman: it runs Arca as uid 10001 under tini, on a read-only root
 * filesystem with only {@code /tmp} (a tmpfs) and the repository writable, and its PostgreSQL
 * 18 client tools dump and restore a PostgreSQL 17 server on the host's loopback.
 */
@ExtendWith(BuiltImage.class)
class ImageIT {

    /** A read-only root filesystem as Kubernetes' readOnlyRootFilesystem gives it: no tmpfs but the one we mount. */
    private static final List<String> READ_ONLY = List.of("--read-only", "--read-only-tmpfs=false", "--tmpfs",
            "/tmp:rw,size=256m,mode=1777");

    @TempDir
    Path dir;

    @Test
    void printsItsVersionOnAReadOnlyRootFilesystem(BuiltImage.Loaded image) {
        List<String> args = new ArrayList<>(READ_ONLY);
        args.addAll(List.of(image.reference(), "--version"));
        Command.Result r = image.podman().run(args).expectSuccess();
        assertThat(r.out().strip()).as(r.toString()).isEqualTo("arca " + image.version());
    }

    @Test
    void staysWithinItsSizeGoal(BuiltImage.Loaded image) {
        // uncompressed, as podman images shows it (decimal MB); docs/container-image.md has the parts
        Command.Result r = image.podman().podman("image", "inspect", "--format", "{{.Size}}", image.reference())
                .expectSuccess();
        long bytes = Long.parseLong(r.out().strip());
        assertThat(bytes).as("image size in bytes (goal: 250 MB)").isPositive().isLessThanOrEqualTo(250_000_000L);
    }

    @Test
    void runsAsUserArcaWithItsHomeAsWorkingDirectory(BuiltImage.Loaded image) {
        Command.Result r = image.podman().run("--entrypoint", "sh", image.reference(), "-c",
                "id; pwd; echo \"$HOME\"; stat -c '%u:%g' .").expectSuccess();
        assertThat(r.out().lines().toList()).as(r.toString()).containsExactly(
                "uid=10001(arca) gid=10001(arca) groups=10001(arca)", "/var/lib/arca", "/var/lib/arca", "10001:10001");
    }

    @Test
    void runsArcaUnderTiniAsProcessOne(BuiltImage.Loaded image) {
        // the entrypoint's own process 1, seen from the arca it started: its command line is tini's
        Command.Result r = image.podman().run("--entrypoint", "tini", image.reference(), "--", "sh", "-c",
                "tr '\\0' ' ' < /proc/1/cmdline").expectSuccess();
        assertThat(r.out()).as(r.toString()).startsWith("tini -- sh");
        Command.Result config = image.podman().podman("image", "inspect", "--format",
                "{{json .Config.Entrypoint}} {{json .Config.Cmd}}", image.reference()).expectSuccess();
        assertThat(config.out().strip()).isEqualTo("[\"tini\",\"--\",\"arca\"] [\"--help\"]");
    }

    @Test
    void carriesPgDump18ForEveryServerArcaSupports(BuiltImage.Loaded image) {
        for (String program : List.of("pg_dump", "pg_restore", "psql", "pg_dumpall")) {
            Command.Result r = image.podman().run("--entrypoint", program, image.reference(), "--version").expectSuccess();
            assertThat(r.out()).as(r.toString()).startsWith(program + " (PostgreSQL) 18.");
        }
    }

    @Test
    void backsUpAndRestoresPostgres17OnTheHostFromInsideTheContainer(BuiltImage.Loaded image) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.setAttribute(repo, "unix:uid", 10001);
        Files.setAttribute(repo, "unix:gid", 10001);
        ClusterOptions options = ClusterOptions.defaults().withFastAndUnsafe(true)
                .withBinDirectory(ZonkyBinaries.binDirectory(17));
        try (LocalCluster cluster = LocalCluster.start(options)) {
            cluster.createDatabase("shop");
            try (Connection c = cluster.connect("shop")) {
                SampleDataset.load(c);
                SampleDataset.loadBulk(c, 2000);
            }
            String server = "postgresql://postgres@127.0.0.1:" + cluster.port() + "/";

            arca(image, cluster, "init", "--repo", "/repo");
            arca(image, cluster, "backup", "--db", server + "shop", "--repo", "/repo");
            Command.Result show = arca(image, cluster, "show", "latest", "--repo", "/repo", "-o", "json");
            assertThat(show.out()).as("the manifest names the image's pg_dump").containsPattern(
                    "\"pg_dump\"\\s*:\\s*\"18\\.");
            arca(image, cluster, "verify", "latest", "--repo", "/repo");
            arca(image, cluster, "restore", "latest", "--to", server + "restored", "--repo", "/repo");

            try (Connection source = cluster.connect("shop"); Connection restored = cluster.connect("restored")) {
                DatabaseFingerprint expected = DatabaseFingerprint.of(source);
                assertThat(expected.table(DatabaseFingerprint.qualify(SampleDataset.SCHEMA, "bulk")).rows()).isEqualTo(2000);
                DatabaseAssertions.assertSameData(expected, DatabaseFingerprint.of(restored));
            }
        }
    }

    /**
     * {@code arca server} as the Helm chart and the Compose stack run it: read-only root, arca.yaml
     * mounted read-only, the repository a volume. Its probes answer, /metrics has Arca's metrics,
     * and SIGTERM to the container (to tini, which forwards it) stops it cleanly and quickly.
     */
    @Test
    void serverAnswersItsProbesAndStopsOnSigterm(BuiltImage.Loaded image) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.setAttribute(repo, "unix:uid", 10001);
        Files.setAttribute(repo, "unix:gid", 10001);
        image.podman().run(List.of("--volume", repo + ":/repo", image.reference(), "init", "--repo", "/repo"))
                .expectSuccess();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("arca.yaml"), String.join("\n",
                "repositories:", "  main:", "    url: /repo",
                "subjects:", "  app:", "    repositories: [main]", "    database: postgresql://arca@127.0.0.1:1/app",
                "server:", "  listen: 127.0.0.1:" + port, ""));
        String name = "arca-server-it-" + port;
        List<String> run = new ArrayList<>(List.of("run", "--detach", "--name", name));
        run.addAll(Podman.ULIMITS);
        run.addAll(READ_ONLY);
        run.addAll(List.of("--network", "host", "--volume", repo + ":/repo", "--volume", config + ":/etc/arca:ro",
                image.reference(), "server", "--config", "/etc/arca/arca.yaml"));
        image.podman().podman(run).expectSuccess();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI base = URI.create("http://127.0.0.1:" + port);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            HttpResponse<String> health = null;
            while (System.nanoTime() < deadline) {
                try {
                    health = http.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(), BodyHandlers.ofString());
                    break;
                } catch (java.io.IOException notYet) {
                    Command.Result state = image.podman().podman("inspect", "--format", "{{.State.Running}}", name);
                    assertThat(state.out().strip()).as("container still running; logs: "
                            + image.podman().podman("logs", name)).isEqualTo("true");
                    Thread.sleep(200);
                }
            }
            assertThat(health).as("arca server in the container answered /healthz within 90 s").isNotNull();
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(base.resolve("/readyz")).build(), BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("arca_");

            long start = System.nanoTime();
            image.podman().podman("stop", "--time", "60", name).expectSuccess();
            Duration stopping = Duration.ofNanos(System.nanoTime() - start);
            Command.Result exit = image.podman().podman("inspect", "--format", "{{.State.ExitCode}}", name).expectSuccess();
            assertThat(exit.out().strip()).as("exit code after SIGTERM; logs: " + image.podman().podman("logs", name))
                    .isEqualTo("0");
            assertThat(stopping).as("SIGTERM stopped the server (podman sends SIGKILL only after 60 s)")
                    .isLessThan(Duration.ofSeconds(30));
        } finally {
            image.podman().podman("rm", "--force", name);
        }
    }

    /** {@code arca ARGS} in the container: host network, read-only root, the repository mounted at /repo. */
    private Command.Result arca(BuiltImage.Loaded image, LocalCluster cluster, String... args) {
        List<String> cmd = new ArrayList<>(READ_ONLY);
        cmd.addAll(List.of("--network", "host", "--volume", dir.resolve("repo") + ":/repo", "--env",
                "PGPASSWORD=" + cluster.password(), image.reference()));
        cmd.addAll(List.of(args));
        return image.podman().run(cmd).expectSuccess();
    }
}

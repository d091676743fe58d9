package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.arca.testkit.k8s.KubernetesTestServer;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.qdrant.QdrantStandIn;
import io.arca.testkit.qdrant.QdrantTestClient;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One recovery point for the whole application: one {@code arca backup} with {@code --db},
 * {@code --k8s-namespace}, {@code --files} and {@code --qdrant} makes one manifest with four
 * sections, which list, show, verify, copy, drill and prune handle; each part restores on its own
 * and all of them together, between the runbook's hooks; a failing hook stops or fails the command
 * as documented. Real PostgreSQL, the Kubernetes mock API and the Qdrant stand-in.
 */
class WholeApplicationIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static KubernetesTestServer k8s;
    static QdrantStandIn qdrant;
    static QdrantTestClient vectors;
    static HttpServer health;
    static final AtomicInteger HEALTH_STATUS = new AtomicInteger(200);
    static String db;
    static String ns;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        db = PG.createDatabase("wholeapp");
        PG.cluster().execute(db, "create table orders (id int primary key, total numeric)",
                "insert into orders select g, g * 1.5 from generate_series(1, 30) g");
        k8s = KubernetesTestServer.start();
        System.setProperty("kubeconfig", k8s.kubeconfig().toString());
        ns = k8s.namespace("whole");
        k8s.client().configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("app-config").endMetadata().withData(Map.of("mode", "production")).build()).create();
        k8s.client().secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("db")
                .endMetadata().withData(Map.of("password", Base64.getEncoder().encodeToString(
                        "s3cret".getBytes(StandardCharsets.UTF_8)))).build()).create();
        qdrant = QdrantStandIn.start();
        vectors = new QdrantTestClient(qdrant);
        vectors.createCollection("embeddings", 4);
        vectors.seed("embeddings", 4, 50, 7);
        health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        health.createContext("/health/ready", exchange -> {
            exchange.sendResponseHeaders(HEALTH_STATUS.get(), -1);
            exchange.close();
        });
        health.start();
    }

    @AfterAll
    static void stop() {
        System.clearProperty("kubeconfig");
        if (health != null) {
            health.stop(0);
        }
        if (qdrant != null) {
            qdrant.close();
        }
        if (k8s != null) {
            k8s.close();
        }
    }

    @Test
    void oneBackupOfTheWholeApplicationRestoresPartByPartAndAllTogether() throws Exception {
        Path pass = Files.writeString(dir.resolve("pass"), "whole application passphrase");
        String repo = dir.resolve("repo").toString();
        Path config = application(dir.resolve("app"));
        Path hookLog = dir.resolve("hooks.log");
        ok(arca("init", "--repo", repo, "--passphrase-file", pass.toString()));

        JsonNode backup = LogicalRoundTripIT.json(ok(arca("backup", "--repo", repo, "--passphrase-file",
                pass.toString(), "--db", ArcaRun.url(PG.cluster(), db), "--k8s-namespace", ns, "--files",
                config.toString(), "--qdrant", qdrant.url(), "--qdrant-collection", "embeddings", "--pre-hook",
                "echo pre-$ARCA_COMMAND >> " + hookLog, "--post-hook", "echo post-$ARCA_RESULT >> " + hookLog,
                "-o", "json")).out());
        String id = backup.get("id").asText();
        assertThat(Files.readAllLines(hookLog)).containsExactly("pre-backup", "post-success");

        // one manifest, four sections
        JsonNode manifest = LogicalRoundTripIT.json(ok(arca("show", id, "--repo", repo, "-o", "json")).out());
        List<String> sources = new ArrayList<>();
        manifest.get("sections").forEach(s -> sources.add(s.get("source").asText()));
        assertThat(sources).containsExactly("postgresql.logical", "files", "kubernetes.objects", "qdrant.snapshot");
        assertThat(manifest.get("subjects")).hasSize(4);
        assertThat(manifest.get("formatVersion").asInt()).isEqualTo(2);
        JsonNode list = LogicalRoundTripIT.json(ok(arca("list", "--repo", repo, "-o", "json")).out());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("kind").asText()).isEqualTo("logical+files+kubernetes.objects+qdrant.snapshot");
        assertThat(ok(arca("restore", id, "--repo", repo, "--passphrase-file", pass.toString(), "--list")).out())
                .contains("TABLE DATA public orders").contains("configmap/app-config").contains("app/.env")
                .contains("qdrant collection 'embeddings': 50 points");

        ArcaRun verify = ok(arca("verify", id, "--repo", repo, "--passphrase-file", pass.toString()));
        assertThat(verify.out()).contains("section kubernetes.objects").contains("section files")
                .contains("section qdrant.snapshot").contains("backup " + id + " verified");
        String copy = dir.resolve("offsite").toString();
        ok(arca("init", "--repo", copy, "--passphrase-file", pass.toString()));
        // as stored: a copy of an encrypted backup needs no key
        ok(arca("copy", id, "--from", repo, "--to", copy));
        ok(arca("verify", id, "--repo", copy, "--passphrase-file", pass.toString()));
        ArcaRun drill = ok(arca("drill", id, "--repo", repo, "--passphrase-file", pass.toString(), "--scratch",
                ArcaRun.url(PG.cluster(), "postgres"), "--qdrant-scratch", qdrant.url()));
        assertThat(drill.out()).contains("verdict     PASS").contains("section     ok    qdrant.snapshot")
                .contains("section     ok    files").contains("section     ok    kubernetes.objects");

        // each part on its own
        String alone = "whole_db_" + System.nanoTime() % 100000;
        ok(arca("restore", id, "--repo", repo, "--passphrase-file", pass.toString(), "--to",
                ArcaRun.url(PG.cluster(), alone)));
        assertThat(rows(alone)).isEqualTo(30);
        assertThat(vectors.exists("embeddings_alone")).isFalse();
        String ns2 = k8s.namespace("alone");
        ok(arca("restore", id, "--repo", repo, "--passphrase-file", pass.toString(), "--k8s-namespace", ns,
                "--to-namespace", ns2, "--k8s-only"));
        assertThat(k8s.client().configMaps().inNamespace(ns2).withName("app-config").get().getData())
                .containsEntry("mode", "production");
        Path files = dir.resolve("files-alone");
        ok(arca("restore", id, "--repo", repo, "--passphrase-file", pass.toString(), "--files-to", files.toString(),
                "--files-only"));
        assertThat(Files.readString(files.resolve("app/.env"))).isEqualTo("MODE=production\n");
        JsonNode qdrantAlone = LogicalRoundTripIT.json(ok(arca("restore", id, "--repo", repo, "--passphrase-file",
                pass.toString(), "--qdrant", qdrant.url(), "--qdrant-only", "--qdrant-collection",
                "embeddings:embeddings_alone", "-o", "json")).out());
        assertThat(qdrantAlone.get("backup").asText()).isEqualTo(id);
        assertThat(qdrantAlone.get("parts").get(0).asText()).contains("qdrant collection 'embeddings_alone' created");
        assertThat(vectors.pointsCount("embeddings_alone")).isEqualTo(50);

        // all together, between the runbook's hooks
        Files.deleteIfExists(hookLog);
        String together = "whole_all_" + System.nanoTime() % 100000;
        String ns3 = k8s.namespace("together");
        Path files3 = dir.resolve("files-together");
        ArcaRun all = ok(arca("restore", id, "--repo", repo, "--passphrase-file", pass.toString(), "--to",
                ArcaRun.url(PG.cluster(), together), "--k8s-namespace", ns, "--to-namespace", ns3, "--files-to",
                files3.toString(), "--qdrant", qdrant.url(), "--qdrant-collection", "embeddings:embeddings_all",
                "--pre-hook", "echo pre-$ARCA_COMMAND >> " + hookLog, "--post-hook",
                "echo post-$ARCA_RESULT >> " + hookLog, "--health-url", healthUrl()));
        assertThat(all.out()).contains("restored " + id + " into").contains("Kubernetes objects")
                .contains("qdrant collection 'embeddings_all' created");
        assertThat(rows(together)).isEqualTo(30);
        assertThat(k8s.client().secrets().inNamespace(ns3).withName("db").get()).isNotNull();
        assertThat(Files.readString(files3.resolve("app/secrets/db.env"))).isEqualTo("PASSWORD=s3cret\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files3.resolve("app/secrets/db.env"))))
                .isEqualTo("rw-------");
        assertThat(vectors.pointsCount("embeddings_all")).isEqualTo(50);
        assertThat(Files.readAllLines(hookLog)).containsExactly("pre-restore", "post-success");

        // one retention: a newer backup of the same parts is the same series; keep-last 1 removes the older
        String newer = LogicalRoundTripIT.json(ok(arca("backup", "--repo", repo, "--passphrase-file",
                pass.toString(), "--db", ArcaRun.url(PG.cluster(), db), "--k8s-namespace", ns, "--files",
                config.toString(), "--qdrant", qdrant.url(), "--qdrant-collection", "embeddings", "-o", "json"))
                .out()).get("id").asText();
        ok(arca("prune", "--repo", repo, "--keep-last", "1"));
        JsonNode left = LogicalRoundTripIT.json(ok(arca("list", "--repo", repo, "-o", "json")).out());
        assertThat(left).hasSize(1);
        assertThat(left.get(0).get("id").asText()).isEqualTo(newer);
        assertThat(vectors.snapshots("embeddings")).as("server-side snapshots are deleted").isEmpty();
    }

    @Test
    void aFailingPreHookStopsTheRestoreAndAFailingHealthCheckFailsIt() throws Exception {
        String repo = dir.resolve("repo").toString();
        ok(arca("init", "--repo", repo));
        String id = LogicalRoundTripIT.json(ok(arca("backup", "--repo", repo, "--db", ArcaRun.url(PG.cluster(), db),
                "-o", "json")).out()).get("id").asText();
        Path hookLog = dir.resolve("hooks.log");

        String target = "whole_hook_" + System.nanoTime() % 100000;
        ArcaRun pre = arca("restore", id, "--repo", repo, "--to", ArcaRun.url(PG.cluster(), target), "--pre-hook",
                "echo stopping; exit 3", "--post-hook", "echo post-$ARCA_RESULT >> " + hookLog);
        assertThat(pre.exit()).as(pre.toString()).isEqualTo(1);
        assertThat(pre.err()).contains("ARCA-1011").contains("exit").contains("3");
        assertThat(databaseExists(target)).as("nothing restored after a failed pre-hook").isFalse();
        assertThat(Files.readAllLines(hookLog)).containsExactly("post-failure");

        HEALTH_STATUS.set(503);
        try {
            ArcaRun unhealthy = arca("restore", id, "--repo", repo, "--to", ArcaRun.url(PG.cluster(), target),
                    "--health-url", healthUrl(), "--health-timeout", "2s");
            assertThat(unhealthy.exit()).as(unhealthy.toString()).isEqualTo(1);
            assertThat(unhealthy.err()).contains(healthUrl()).contains("503");
            assertThat(rows(target)).as("the restore itself happened").isEqualTo(30);
        } finally {
            HEALTH_STATUS.set(200);
        }
    }

    private static Path application(Path root) throws Exception {
        Path app = Files.createDirectories(root.resolve("app"));
        Files.writeString(app.resolve(".env"), "MODE=production\n");
        Path secrets = Files.createDirectories(app.resolve("secrets"));
        Files.writeString(secrets.resolve("db.env"), "PASSWORD=s3cret\n");
        Files.setPosixFilePermissions(secrets.resolve("db.env"), PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(app.resolve("current.env"), Path.of(".env"));
        return app;
    }

    private static String healthUrl() {
        return "http://127.0.0.1:" + health.getAddress().getPort() + "/health/ready";
    }

    private static long rows(String database) throws Exception {
        try (Connection c = PG.connect(database); ResultSet r = c.createStatement().executeQuery(
                "select count(*) from orders")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static boolean databaseExists(String name) throws Exception {
        try (Connection c = PG.connect("postgres"); ResultSet r = c.createStatement().executeQuery(
                "select count(*) from pg_database where datname = '" + name + "'")) {
            r.next();
            return r.getLong(1) > 0;
        }
    }

    private static ArcaRun arca(String... args) {
        return ArcaRun.of(args);
    }

    private static ArcaRun ok(ArcaRun run) {
        assertThat(run.exit()).as(run.toString()).isZero();
        return run;
    }
}

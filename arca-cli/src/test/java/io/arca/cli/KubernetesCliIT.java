package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.k8s.KubernetesTestServer;
import io.arca.testkit.pg.PostgresExtension;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes source through the command line: one {@code arca backup} holds a database and a
 * namespace; show, verify, restore --list and restore handle both; a backup of the namespace alone;
 * plaintext Secrets refused; the scale-down hook around a database restore. The CLI reaches the
 * {@link KubernetesTestServer} through the kubeconfig named by the {@code kubeconfig} system
 * property, as it would through {@code KUBECONFIG}.
 */
class KubernetesCliIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static KubernetesTestServer k8s;
    static String db;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        db = PG.createDatabase("k8ssrc");
        PG.cluster().execute(db, "create table orders (id int primary key, total numeric)",
                "insert into orders select g, g * 2.5 from generate_series(1, 25) g");
        k8s = KubernetesTestServer.start();
        System.setProperty("kubeconfig", k8s.kubeconfig().toString());
    }

    @AfterAll
    static void stop() {
        System.clearProperty("kubeconfig");
        if (k8s != null) {
            k8s.close();
        }
    }

    @Test
    void oneBackupHoldsTheDatabaseAndTheNamespaceAndRestoresEitherOrBoth() throws Exception {
        String ns = application();
        Path pass = Files.writeString(dir.resolve("pass"), "cli kubernetes passphrase");
        String repo = dir.resolve("repo").toString();
        ok(ArcaRun.of("init", "--repo", repo, "--passphrase-file", pass.toString()));

        ok(ArcaRun.of("backup", "--repo", repo, "--passphrase-file", pass.toString(), "--db",
                ArcaRun.url(PG.cluster(), db), "--k8s-namespace", ns, "--k8s-kinds", "configmap,secret,deployment"));

        JsonNode manifest = RepositoryJson.mapper().readTree(ok(ArcaRun.of("show", "latest", "--repo", repo, "-o",
                "json")).out());
        List<String> sections = new ArrayList<>();
        manifest.get("sections").forEach(s -> sections.add(s.get("source").asText() + " " + s.get("subject").asText()));
        assertThat(sections).hasSize(2).contains("kubernetes.objects k8s://" + k8s.context() + "/" + ns);
        assertThat(sections.get(0)).startsWith("postgresql.logical postgresql://");
        assertThat(ok(ArcaRun.of("show", "latest", "--repo", repo)).out())
                .contains("section     kubernetes.objects k8s://" + k8s.context() + "/" + ns + " (1 artifact;");
        assertThat(ok(ArcaRun.of("restore", "latest", "--repo", repo, "--passphrase-file", pass.toString(), "--list"))
                .out()).contains("; Kubernetes objects k8s://" + k8s.context() + "/" + ns + "\n"
                        + "configmap/app-config\nsecret/db-credentials (keys: password, username)\ndeployment/web\n");
        assertThat(ok(ArcaRun.of("verify", "latest", "--repo", repo, "--passphrase-file", pass.toString())).exit())
                .isZero();

        // a namespace the backup does not hold: refused before anything is restored
        String target0 = "k8sno_" + Math.abs(System.nanoTime() % 100000);
        ArcaRun wrong = ArcaRun.of("restore", "latest", "--repo", repo, "--passphrase-file", pass.toString(),
                "--to", ArcaRun.url(PG.cluster(), target0), "--k8s-namespace", "no-such-namespace");
        assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(2);
        assertThat(wrong.err()).contains("holds no namespace no-such-namespace (it holds " + ns + ")");
        try (Connection c = PG.connect("postgres"); ResultSet r = c.createStatement().executeQuery(
                "select count(*) from pg_database where datname = '" + target0 + "'")) {
            r.next();
            assertThat(r.getInt(1)).as("the database part never started").isZero();
        }

        // the objects alone, into another namespace
        String copy = k8s.namespace("copy");
        ArcaRun objects = ok(ArcaRun.of("restore", "latest", "--repo", repo, "--passphrase-file", pass.toString(),
                "--k8s-namespace", ns, "--to-namespace", copy, "--k8s-only"));
        assertThat(objects.out()).contains("Kubernetes objects k8s://" + k8s.context() + "/" + ns
                + ": into namespace '" + copy + "': 3 objects created, 0 replaced, 0 kept");
        assertThat(client().configMaps().inNamespace(copy).withName("app-config").get().getData())
                .isEqualTo(Map.of("greeting", "hello"));

        // both, with the application scaled down around them; the existing objects are replaced (--clean)
        client().configMaps().inNamespace(ns).withName("app-config").edit(c -> new ConfigMapBuilder(c)
                .withData(Map.of("greeting", "changed")).build());
        String target = "k8sdst_" + Math.abs(System.nanoTime() % 100000);
        ArcaRun both = ok(ArcaRun.of("restore", "latest", "--repo", repo, "--passphrase-file", pass.toString(),
                "--to", ArcaRun.url(PG.cluster(), target), "--k8s-namespace", ns, "--clean", "--no-safety-backup",
                "--scale-down", "deployment/web", "--verbose"));
        assertThat(both.err()).contains("scaling deployment/web in namespace '" + ns + "' from 2 replicas to 0")
                .contains("the pods of deployment/web in namespace '"
                + ns + "' have ended").contains("scaled deployment/web in namespace '" + ns + "' back to 2 replicas");
        assertThat(both.out()).contains(": 0 objects created, 3 replaced, 0 kept");
        assertThat(client().configMaps().inNamespace(ns).withName("app-config").get().getData())
                .isEqualTo(Map.of("greeting", "hello"));
        assertThat(client().apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
                .isEqualTo(2);
        try (Connection c = PG.connect(target); ResultSet r = c.createStatement().executeQuery(
                "select count(*) from orders")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(25);
        }
    }

    @Test
    void theScaleDownHookRunsAroundTheRestoreOfABackupOfTheDatabaseAlone() throws Exception {
        String ns = application();
        String repo = dir.resolve("repo").toString();
        ok(ArcaRun.of("init", "--repo", repo));
        ok(ArcaRun.of("backup", "--repo", repo, "--db", ArcaRun.url(PG.cluster(), db)));

        String target = "k8shook_" + Math.abs(System.nanoTime() % 100000);
        ArcaRun restore = ok(ArcaRun.of("restore", "latest", "--repo", repo, "--to", ArcaRun.url(PG.cluster(), target),
                "--k8s-namespace", ns, "--scale-down", "deployment/web", "--verbose"));
        assertThat(restore.err()).contains("holds no Kubernetes objects: only the hooks of its options run")
                .contains("the pods of deployment/web in namespace '" + ns + "' have ended")
                .contains("scaled deployment/web in namespace '" + ns + "' back to 2 replicas");
        assertThat(restore.out()).contains("restored ").contains(" into ");
        assertThat(client().apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
                .isEqualTo(2);

        // --k8s-only asks for the objects themselves: no backup holds them, and this one does not either
        ArcaRun latest = ArcaRun.of("restore", "latest", "--repo", repo, "--k8s-namespace", ns, "--k8s-only");
        assertThat(latest.exit()).as(latest.toString()).isEqualTo(1);
        assertThat(latest.err()).contains("no complete backup with Kubernetes objects in").contains("no backup holds it");
        String id = restore.out().split(" ")[1];
        ArcaRun only = ArcaRun.of("restore", id, "--repo", repo, "--k8s-namespace", ns, "--k8s-only");
        assertThat(only.exit()).as(only.toString()).isEqualTo(2);
        assertThat(only.err()).contains("backup " + id + " holds no Kubernetes objects");
    }

    @Test
    void aNamespaceAloneIsABackupAndItsSecretsNeedEncryptionOrConsent() throws Exception {
        String ns = application();
        String repo = dir.resolve("plain").toString();
        ok(ArcaRun.of("init", "--repo", repo));

        ArcaRun refused = ArcaRun.of("backup", "--repo", repo, "--k8s-namespace", ns);
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(12);
        assertThat(refused.err()).contains("secrets of namespace '" + ns + "' would be stored unencrypted")
                .contains("--allow-plaintext-secrets");
        assertThat(ok(ArcaRun.of("list", "--repo", repo)).out()).doesNotContain(ns);

        ok(ArcaRun.of("backup", "--repo", repo, "--k8s-namespace", ns, "--allow-plaintext-secrets"));
        assertThat(ok(ArcaRun.of("restore", "latest", "--repo", repo, "--k8s-namespace", ns, "--list")).out())
                .contains("configmap/app-config").contains("secret/db-credentials (keys: password, username)");

        // a damaged artifact: exit 15 and nothing applied
        Path stored;
        try (Stream<Path> files = Files.walk(Path.of(repo))) {
            stored = files.filter(p -> p.getFileName().toString().equals("k8s-" + ns + ".yaml.zst")).findFirst()
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x04;
        Files.write(stored, bytes);
        String copy = k8s.namespace("copy");
        ArcaRun damaged = ArcaRun.of("restore", "latest", "--repo", repo, "--k8s-namespace", ns, "--to-namespace", copy,
                "--k8s-only");
        assertThat(damaged.exit()).as(damaged.toString()).isEqualTo(15);
        assertThat(client().configMaps().inNamespace(copy).withName("app-config").get()).isNull();
        assertThat(ArcaRun.of("verify", "latest", "--repo", repo).exit()).isEqualTo(15);
    }

    @Test
    void badKubernetesOptionsAreUsageErrors() {
        String repo = dir.resolve("usage").toString();
        ok(ArcaRun.of("init", "--repo", repo));
        ArcaRun kinds = ArcaRun.of("backup", "--repo", repo, "--k8s-namespace", "shop", "--k8s-kinds", "pods");
        assertThat(kinds.exit()).as(kinds.toString()).isEqualTo(2);
        assertThat(kinds.err()).contains("unknown kubernetes kind 'pods' in --k8s-kinds");
        ArcaRun context = ArcaRun.of("backup", "--repo", repo, "--k8s-namespace", "shop", "--k8s-kinds", "configmap",
                "--k8s-context", "nowhere");
        assertThat(context.exit()).as(context.toString()).isEqualTo(2);
        assertThat(context.err()).contains("no kubeconfig context 'nowhere' (contexts: " + k8s.context() + ")");
    }

    private static KubernetesClient client() {
        return k8s.client();
    }

    /** A namespace with a ConfigMap, a Secret and a deployment of 2 pods (that take a moment to end). */
    private static String application() {
        String ns = k8s.namespace("shop");
        client().configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("app-config")
                .endMetadata().withData(Map.of("greeting", "hello")).build()).create();
        client().secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("db-credentials")
                .endMetadata().withData(Map.of("password", b64("pw"), "username", b64("shop"))).build()).create();
        client().apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName("web")
                .endMetadata().withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("web").withImage("registry.k8s.io/pause:3.9").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        k8s.runDeploymentController(ns, Duration.ofMillis(500));
        return ns;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ArcaRun ok(ArcaRun run) {
        assertThat(run.exit()).as(run.toString()).isZero();
        return run;
    }
}

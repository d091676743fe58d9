package io.arca.testkit.k8s;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * A Kubernetes API for tests: fabric8's mock server in CRUD mode on 127.0.0.1 (HTTPS, self-signed),
 * with the discovery documents {@code kubectl} needs ({@code /api}, {@code /apis}, {@code /api/v1},
 * {@code /apis/GROUP/VERSION}, each also with {@code ?timeout=32s}), and a kubeconfig file naming it,
 * so that Arca and {@code kubectl} reach it the way they reach a real cluster.
 *
 * <p>When {@code ARCA_TEST_KUBECONFIG} names a kubeconfig file, {@link #start()} uses that cluster
 * instead (its current context): the same tests then run against a real API server. The tests make
 * their namespaces with {@link #namespace(String)}; on a real cluster {@link #close()} deletes them.
 *
 * <p>The mock runs no controllers: {@link #isMock()} tells tests to stand in for them
 * ({@link DeploymentController}). Talking to it from {@code kubectl} needs {@code apply
 * --validate=false} (no OpenAPI documents) and {@code patch} instead of {@code scale}.
 */
public final class KubernetesTestServer implements AutoCloseable {
    /** The environment variable that points the tests at a real cluster. */
    public static final String REAL_CLUSTER_ENV = "ARCA_TEST_KUBECONFIG";
    /** The kubeconfig context of the mock server. */
    public static final String MOCK_CONTEXT = "arca-test";

    private static final List<ApiResource> RESOURCES = List.of(
            new ApiResource("", "v1", "Namespace", "namespaces", false, "ns"),
            new ApiResource("", "v1", "ConfigMap", "configmaps", true, "cm"),
            new ApiResource("", "v1", "Secret", "secrets", true, null),
            new ApiResource("", "v1", "Service", "services", true, "svc"),
            new ApiResource("", "v1", "ServiceAccount", "serviceaccounts", true, "sa"),
            new ApiResource("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, "pvc"),
            new ApiResource("", "v1", "Pod", "pods", true, "po"),
            new ApiResource("apps", "v1", "Deployment", "deployments", true, "deploy"),
            new ApiResource("apps", "v1", "StatefulSet", "statefulsets", true, "sts"),
            new ApiResource("apps", "v1", "DaemonSet", "daemonsets", true, "ds"),
            new ApiResource("apps", "v1", "ReplicaSet", "replicasets", true, "rs"),
            new ApiResource("batch", "v1", "Job", "jobs", true, null),
            new ApiResource("batch", "v1", "CronJob", "cronjobs", true, "cj"),
            new ApiResource("networking.k8s.io", "v1", "Ingress", "ingresses", true, "ing"),
            new ApiResource("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, "netpol"),
            new ApiResource("rbac.authorization.k8s.io", "v1", "Role", "roles", true, null),
            new ApiResource("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, null),
            new ApiResource("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, "pdb"),
            new ApiResource("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, "hpa"));

    /** Held here: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    private final KubernetesMockServer mock;
    private final Path kubeconfig;
    private final String context;
    private final boolean ownsKubeconfig;
    private final KubernetesClient client;
    private final List<String> namespaces = new ArrayList<>();
    private final Map<String, DeploymentController> controllers = new ConcurrentHashMap<>();

    private KubernetesTestServer(KubernetesMockServer mock, Path kubeconfig, String context, boolean ownsKubeconfig) {
        this.mock = mock;
        this.kubeconfig = kubeconfig;
        this.context = context;
        this.ownsKubeconfig = ownsKubeconfig;
        this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(context, kubeconfig.toFile()))
                .build();
    }

    /**
     * The real cluster of {@code ARCA_TEST_KUBECONFIG} when it is set, else a new mock server.
     */
    public static KubernetesTestServer start() {
        String real = System.getenv(REAL_CLUSTER_ENV);
        if (real != null && !real.isBlank()) {
            Path file = Path.of(real);
            if (!Files.isReadable(file)) {
                throw new IllegalStateException(REAL_CLUSTER_ENV + " names '" + real + "', which cannot be read; "
                        + "unset it to test against the mock server");
            }
            String current = Config.fromKubeconfig(null, file.toFile()).getCurrentContext().getName();
            return new KubernetesTestServer(null, file, current, false);
        }
        return startMock();
    }

    /** A new mock server, whatever the environment says. */
    public static KubernetesTestServer startMock() {
        // the mock logs every request at INFO through java.util.logging
        MOCK_LOG.setLevel(Level.WARNING);
        Map<ServerRequest, Queue<ServerResponse>> responses = new LinkedHashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), true);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        try {
            stubDiscovery(server);
            Path file = Files.createTempFile("arca-kubeconfig-", ".yaml");
            Files.writeString(file, kubeconfigText("https://127.0.0.1:" + server.getPort(), MOCK_CONTEXT));
            return new KubernetesTestServer(server, file, MOCK_CONTEXT, true);
        } catch (IOException | RuntimeException e) {
            server.destroy();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Whether this is the mock (no controllers, no scheduler, no admission) rather than a real cluster. */
    public boolean isMock() {
        return mock != null;
    }

    /** A kubeconfig file whose current context is {@link #context()}. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** The kubeconfig context that reaches this server. */
    public String context() {
        return context;
    }

    /** A client of this server (closed by {@link #close()}). */
    public KubernetesClient client() {
        return client;
    }

    /**
     * A new namespace named {@code prefix-<random>}, created on the server (on a real cluster it is
     * deleted again by {@link #close()}).
     */
    public String namespace(String prefix) {
        String name = prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        synchronized (namespaces) {
            namespaces.add(name);
        }
        return name;
    }

    /**
     * Stands in for the deployment controller in {@code namespace} when this is the mock: keeps as
     * many pods as each deployment asks for, and removes pods {@code podExit} after a scale-down
     * (as pods take time to end). Does nothing on a real cluster, whose controllers do it.
     */
    public void runDeploymentController(String namespace, java.time.Duration podExit) {
        if (isMock()) {
            controllers.computeIfAbsent(namespace, ns -> DeploymentController.start(client, ns, podExit));
        }
    }

    /** The {@code kubectl} arguments that reach this server: {@code --kubeconfig FILE --context NAME}. */
    public List<String> kubectlArgs() {
        return List.of("--kubeconfig", kubeconfig.toString(), "--context", context);
    }

    @Override
    public void close() {
        controllers.values().forEach(DeploymentController::close);
        if (!isMock()) {
            synchronized (namespaces) {
                for (String ns : namespaces) {
                    try {
                        client.namespaces().withName(ns).delete();
                    } catch (RuntimeException e) {
                        // best effort: a namespace left behind is named arca-test-like and harmless
                    }
                }
            }
        }
        client.close();
        if (mock != null) {
            mock.destroy();
        }
        if (ownsKubeconfig) {
            try {
                Files.deleteIfExists(kubeconfig);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    /** A kubeconfig with one cluster (TLS not verified: the mock's certificate is self-signed), one user, one context. */
    static String kubeconfigText(String server, String context) {
        return "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: " + context + "\n"
                + "  cluster:\n"
                + "    server: " + server + "\n"
                + "    insecure-skip-tls-verify: true\n"
                + "users:\n"
                + "- name: " + context + "\n"
                + "  user:\n"
                + "    token: arca-test-token\n"
                + "contexts:\n"
                + "- name: " + context + "\n"
                + "  context:\n"
                + "    cluster: " + context + "\n"
                + "    user: " + context + "\n"
                + "    namespace: default\n"
                + "current-context: " + context + "\n";
    }

    private static void stubDiscovery(KubernetesMockServer server) {
        stub(server, "/api", "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1:" + server.getPort() + "\"}]}");
        Map<String, List<ApiResource>> byGroupVersion = RESOURCES.stream()
                .collect(Collectors.groupingBy(ApiResource::groupVersion, LinkedHashMap::new, Collectors.toList()));
        StringBuilder groups = new StringBuilder("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[");
        boolean first = true;
        for (Map.Entry<String, List<ApiResource>> e : byGroupVersion.entrySet()) {
            ApiResource any = e.getValue().get(0);
            StringBuilder list = new StringBuilder("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"")
                    .append(e.getKey()).append("\",\"resources\":[");
            for (int i = 0; i < e.getValue().size(); i++) {
                list.append(i == 0 ? "" : ",").append(e.getValue().get(i).json());
            }
            list.append("]}");
            stub(server, any.group().isEmpty() ? "/api/v1" : "/apis/" + e.getKey(), list.toString());
            if (!any.group().isEmpty()) {
                String gv = "{\"groupVersion\":\"" + e.getKey() + "\",\"version\":\"" + any.version() + "\"}";
                groups.append(first ? "" : ",").append("{\"name\":\"").append(any.group()).append("\",\"versions\":[")
                        .append(gv).append("],\"preferredVersion\":").append(gv).append("}");
                first = false;
            }
        }
        groups.append("]}");
        stub(server, "/apis", groups.toString());
    }

    /** The same answer for the path and for the path kubectl asks with its discovery timeout. */
    private static void stub(KubernetesMockServer server, String path, String json) {
        for (String p : List.of(path, path + "?timeout=32s")) {
            server.expect().get().withPath(p).andReturn(200, json).always();
        }
    }

    private record ApiResource(String group, String version, String kind, String plural, boolean namespaced,
            String shortName) {
        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        String json() {
            return "{\"name\":\"" + plural + "\",\"singularName\":\"" + kind.toLowerCase(java.util.Locale.ROOT)
                    + "\",\"namespaced\":" + namespaced + ",\"kind\":\"" + kind + "\",\"verbs\":[\"create\",\"delete\","
                    + "\"deletecollection\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]"
                    + (shortName == null ? "" : ",\"shortNames\":[\"" + shortName + "\"]") + "}";
        }
    }
}

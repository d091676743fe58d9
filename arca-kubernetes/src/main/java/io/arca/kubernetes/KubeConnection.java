package io.arca.kubernetes;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A client of one Kubernetes API, configured as {@code kubectl} is: the kubeconfig named by
 * {@code KUBECONFIG} (or the {@code kubeconfig} system property), else {@code ~/.kube/config}, in
 * its current context or the one {@code --k8s-context} names; without a kubeconfig, the service
 * account of the pod Arca runs in.
 *
 * @param client the client (close it)
 * @param context the context's name, {@code in-cluster} for a pod's service account
 * @param defaultNamespace the context's namespace (or the pod's), {@code default} when it names none
 */
record KubeConnection(KubernetesClient client, String context, String defaultNamespace) implements AutoCloseable {
    /** What a connection made from a pod's service account calls its context. */
    static final String IN_CLUSTER = "in-cluster";
    private static final Path SERVICE_ACCOUNT_TOKEN = Path.of(Config.KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH);

    /**
     * Connects through the kubeconfig context {@code context} (its current one when empty).
     *
     * @throws UsageException when no kubeconfig has that context
     * @throws ArcaException when there is neither a kubeconfig nor a service account
     */
    static KubeConnection open(Optional<String> context) {
        Config config = Config.autoConfigure(context.orElse(null));
        NamedContext current = config.getCurrentContext();
        if (context.isPresent() && (current == null || !current.getName().equals(context.get()))) {
            String known = config.getContexts() == null || config.getContexts().isEmpty() ? "none"
                    : String.join(", ", config.getContexts().stream().map(NamedContext::getName).toList());
            throw new UsageException("no kubeconfig context '" + context.get() + "' (contexts: " + known + ")",
                    "name a context of the kubeconfig in KUBECONFIG or ~/.kube/config (kubectl config get-contexts)", null);
        }
        if (current == null && !Files.exists(SERVICE_ACCOUNT_TOKEN) && System.getenv("KUBERNETES_SERVICE_HOST") == null) {
            throw new ArcaException(ErrorCode.FAILURE, "no kubernetes configuration: no kubeconfig and no pod service account",
                    "set KUBECONFIG to a kubeconfig file (or create ~/.kube/config), or run arca in a pod");
        }
        // a failing API answers at once; the client's default of 10 retries would hide that for minutes
        config.setRequestRetryBackoffLimit(2);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        String ns = config.getNamespace() == null || config.getNamespace().isBlank() ? "default" : config.getNamespace();
        return new KubeConnection(client, current == null ? IN_CLUSTER : current.getName(), ns);
    }

    /** The API's address, for messages. */
    String server() {
        return String.valueOf(client.getConfiguration().getMasterUrl());
    }

    @Override
    public void close() {
        client.close();
    }
}

package io.arca.testkit.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for Kubernetes' deployment controller on the mock server, which runs none: every 50 ms
 * it gives each deployment of one namespace as many pods as its {@code spec.replicas} asks for
 * (labelled with its pod template's labels), and removes surplus pods once they have been surplus
 * for the pod exit time, as real pods take their time to end after a scale-down.
 */
final class DeploymentController implements AutoCloseable {
    /** The label that ties a pod to the deployment that made it. */
    static final String OWNER_LABEL = "arca-test/deployment";

    private final KubernetesClient client;
    private final String namespace;
    private final Duration podExit;
    private final Thread thread;
    private final Map<String, Long> surplusSince = new HashMap<>();
    private volatile boolean stopped;

    private DeploymentController(KubernetesClient client, String namespace, Duration podExit) {
        this.client = client;
        this.namespace = namespace;
        this.podExit = podExit;
        this.thread = new Thread(this::run, "deployment-controller-" + namespace);
        this.thread.setDaemon(true);
    }

    static DeploymentController start(KubernetesClient client, String namespace, Duration podExit) {
        DeploymentController c = new DeploymentController(client, namespace, podExit);
        c.thread.start();
        return c;
    }

    private void run() {
        while (!stopped) {
            try {
                reconcile();
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the server may be closing; try again
            }
        }
    }

    private void reconcile() {
        for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
            String name = d.getMetadata().getName();
            int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            List<Pod> pods = client.pods().inNamespace(namespace).withLabel(OWNER_LABEL, name).list().getItems();
            for (int i = pods.size(); i < desired; i++) {
                Map<String, String> labels = new HashMap<>(d.getSpec().getTemplate().getMetadata().getLabels());
                labels.put(OWNER_LABEL, name);
                client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata()
                        .withName(name + "-" + Long.toString(System.nanoTime(), 36))
                        .withLabels(labels).endMetadata().withSpec(d.getSpec().getTemplate().getSpec())
                        .withNewStatus().withPhase("Running").endStatus().build()).create();
            }
            long now = System.nanoTime();
            for (int i = desired; i < pods.size(); i++) {
                String pod = pods.get(i).getMetadata().getName();
                long since = surplusSince.computeIfAbsent(pod, p -> now);
                if (now - since >= podExit.toNanos()) {
                    client.pods().inNamespace(namespace).withName(pod).delete();
                    surplusSince.remove(pod);
                }
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

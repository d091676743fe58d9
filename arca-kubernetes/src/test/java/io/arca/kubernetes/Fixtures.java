package io.arca.kubernetes;

import io.arca.testkit.k8s.KubernetesTestServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** The objects of an application's namespace, as the tests create them. */
final class Fixtures {
    /** A container image that runs on a real cluster and does nothing. */
    static final String PAUSE = "registry.k8s.io/pause:3.9";

    private Fixtures() {
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * ConfigMaps {@code app-config} (app=shop, with kubectl's last-applied annotation) and
     * {@code other} (app=other); Secrets {@code db-credentials} (app=shop), a service-account token
     * and a Helm release; Service {@code web}; Deployment {@code web} with {@code replicas} replicas.
     */
    static void application(KubernetesTestServer server, String ns, int replicas) {
        KubernetesClient c = server.client();
        c.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("app-config")
                .addToLabels("app", "shop")
                .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{\"apiVersion\":\"v1\"}")
                .addToAnnotations("team", "payments")
                .addNewManagedField().withManager("kubectl").withOperation("Update").withApiVersion("v1").endManagedField()
                .endMetadata()
                .withData(Map.of("greeting", "hello", "count", "1", "enabled", "true")).build()).create();
        c.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("other")
                .addToLabels("app", "other").endMetadata().withData(Map.of("k", "v")).build()).create();
        if (server.isMock()) {
            // a real cluster writes it into every namespace
            c.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(ObjectFilter.ROOT_CA).endMetadata().withData(Map.of("ca.crt", "x")).build()).create();
        }
        c.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("db-credentials")
                .addToLabels("app", "shop").endMetadata().withType("Opaque")
                .withData(Map.of("password", b64("s3cr3t-value"), "username", b64("shop"))).build()).create();
        c.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("default-token")
                .addToAnnotations("kubernetes.io/service-account.name", "default").endMetadata()
                .withType(ObjectFilter.SERVICE_ACCOUNT_TOKEN).build()).create();
        c.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("sh.helm.release.v1.shop.v1")
                .addToLabels("owner", "helm").endMetadata().withType(ObjectFilter.HELM_RELEASE)
                .withData(Map.of("release", b64("helm release record"))).build()).create();
        ServiceBuilder service = new ServiceBuilder();
        service.withNewMetadata().withName("web").addToLabels("app", "shop").endMetadata().withNewSpec()
                .addToSelector("app", "web").addNewPort().withName("http").withPort(80).endPort().endSpec();
        if (server.isMock()) {
            // what a real API server assigns
            service.editSpec().withClusterIP("10.96.0.12").withClusterIPs("10.96.0.12").endSpec();
        }
        c.services().inNamespace(ns).resource(service.build()).create();
        var web = c.apps().deployments().inNamespace(ns).resource(deployment("web", replicas)).create();
        // a ConfigMap the deployment owns (as operators make them): its owner reference names the owner's uid
        c.configMaps().inNamespace(ns).withName("other").edit(cm -> new ConfigMapBuilder(cm).editMetadata()
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("web")
                .withUid(web.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata().build());
        if (server.isMock()) {
            // what the controller would report
            c.apps().deployments().inNamespace(ns).withName("web").edit(d -> new DeploymentBuilder(d).withNewStatus()
                    .withReplicas(replicas).withReadyReplicas(replicas).endStatus().build());
        }
    }

    static io.fabric8.kubernetes.api.model.apps.Deployment deployment(String name, int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName(name).addToLabels("app", "shop").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .addNewContainer().withName(name).withImage(PAUSE).endContainer().endSpec().endTemplate().endSpec()
                .build();
    }

    /** A deployment whose pods take a minute to end: sleep, as pid 1, ignores SIGTERM. */
    static io.fabric8.kubernetes.api.model.apps.Deployment slowToEnd(String name, int replicas) {
        return new DeploymentBuilder(deployment(name, replicas)).editSpec().editTemplate().editSpec()
                .withTerminationGracePeriodSeconds(60L).editFirstContainer().withImage("busybox:1.36")
                .withCommand("sleep", "3600").endContainer().endSpec().endTemplate().endSpec().build();
    }
}

package io.arca.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectCleanerTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private static GenericKubernetesResource object(String json) {
        return JSON.unmarshal(json, GenericKubernetesResource.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource o) {
        return (Map<String, Object>) o.getAdditionalProperties().get("spec");
    }

    @Test
    void leavesOutWhatTheClusterAssignsAndKeepsWhatTheUserWrote() {
        GenericKubernetesResource o = ObjectCleaner.clean(ObjectKind.CONFIGMAP, object("""
                {"metadata": {"name": "app", "namespace": "shop", "uid": "u-1", "resourceVersion": "42",
                  "generation": 3, "creationTimestamp": "2026-01-01T00:00:00Z", "selfLink": "/api/v1/x",
                  "labels": {"app": "shop"}, "finalizers": ["example.com/keep"],
                  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "team": "payments"},
                  "managedFields": [{"manager": "kubectl"}],
                  "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "x", "uid": "u-0", "controller": true}]},
                 "data": {"a": "1"}, "status": {"phase": "x"}}"""));

        String yaml = JSON.asYaml(o);
        assertThat(yaml).startsWith("---\napiVersion: \"v1\"\nkind: \"ConfigMap\"\n")
                .contains("name: \"app\"", "namespace: \"shop\"", "app: \"shop\"", "team: \"payments\"",
                        "example.com/keep", "a: \"1\"")
                .doesNotContain("uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
                        "last-applied", "managedFields", "ownerReferences", "status");
    }

    @Test
    void dropsAnnotationsWhenNoneIsLeft() {
        GenericKubernetesResource o = ObjectCleaner.clean(ObjectKind.DEPLOYMENT, object("""
                {"metadata": {"name": "web", "annotations": {"deployment.kubernetes.io/revision": "7"}},
                 "spec": {"replicas": 2}}"""));

        assertThat(o.getMetadata().getAnnotations()).isNull();
        assertThat(o.getApiVersion()).isEqualTo("apps/v1");
        assertThat(o.getAdditionalProperties().get("spec")).isEqualTo(Map.of("replicas", 2));
    }

    @Test
    void servicesLoseTheirClusterIpsUnlessHeadless() {
        GenericKubernetesResource assigned = ObjectCleaner.clean(ObjectKind.SERVICE, object("""
                {"metadata": {"name": "web"}, "spec": {"clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"],
                 "ports": [{"port": 80}]}}"""));
        GenericKubernetesResource headless = ObjectCleaner.clean(ObjectKind.SERVICE, object("""
                {"metadata": {"name": "db"}, "spec": {"clusterIP": "None", "clusterIPs": ["None"]}}"""));

        assertThat(spec(assigned)).containsOnlyKeys("ports");
        assertThat(spec(headless)).containsEntry("clusterIP", "None");
    }

    @Test
    void claimsLoseTheirVolumeAndBindingAnnotations() {
        GenericKubernetesResource o = ObjectCleaner.clean(ObjectKind.PERSISTENTVOLUMECLAIM, object("""
                {"metadata": {"name": "data", "annotations": {"pv.kubernetes.io/bind-completed": "yes",
                  "volume.kubernetes.io/selected-node": "n1"}},
                 "spec": {"volumeName": "pvc-123", "storageClassName": "fast", "accessModes": ["ReadWriteOnce"]}}"""));

        assertThat(o.getMetadata().getAnnotations()).isNull();
        assertThat(spec(o)).doesNotContainKey("volumeName")
                .containsEntry("storageClassName", "fast");
    }
}

package io.arca.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/**
 * Turns an object as the API returns it into the form Arca stores: what a user would write to
 * create it, so that {@code kubectl apply -f} (or Arca) creates it again, in this cluster or another.
 * Left out: {@code status}; what the API server assigns ({@code uid}, {@code resourceVersion},
 * {@code creationTimestamp}, {@code generation}, {@code selfLink}, {@code managedFields}, deletion
 * marks); {@code ownerReferences}, which name owners by uid (an object restored with them would be
 * garbage-collected at once, its owner's uid being new); the {@code last-applied-configuration}
 * annotation of {@code kubectl apply}; the cluster IPs of Services; and the binding of claims to
 * volumes, which another namespace or cluster cannot reuse.
 */
final class ObjectCleaner {
    /** Annotations the cluster writes, meaningless in a restored copy. */
    private static final List<String> ANNOTATIONS = List.of(
            "kubectl.kubernetes.io/last-applied-configuration",
            "deployment.kubernetes.io/revision",
            "pv.kubernetes.io/bind-completed",
            "pv.kubernetes.io/bound-by-controller",
            "volume.beta.kubernetes.io/storage-provisioner",
            "volume.kubernetes.io/storage-provisioner",
            "volume.kubernetes.io/selected-node");

    private ObjectCleaner() {
    }

    /** Cleans {@code object} (of {@code kind}) in place and returns it. */
    static GenericKubernetesResource clean(ObjectKind kind, GenericKubernetesResource object) {
        // list items of a real API server carry no apiVersion and kind
        object.setApiVersion(kind.apiVersion());
        object.setKind(kind.kind());
        ObjectMeta meta = object.getMetadata();
        meta.setUid(null);
        meta.setResourceVersion(null);
        meta.setCreationTimestamp(null);
        meta.setGeneration(null);
        meta.setSelfLink(null);
        meta.setManagedFields(null);
        meta.setOwnerReferences(null);
        meta.setDeletionTimestamp(null);
        meta.setDeletionGracePeriodSeconds(null);
        if (meta.getAnnotations() != null) {
            ANNOTATIONS.forEach(meta.getAnnotations()::remove);
            if (meta.getAnnotations().isEmpty()) {
                meta.setAnnotations(null);
            }
        }
        Map<String, Object> fields = object.getAdditionalProperties();
        fields.remove("status");
        if (fields.get("spec") instanceof Map<?, ?> spec) {
            switch (kind) {
                case SERVICE -> {
                    // a headless Service's "None" is a choice, not an assigned address
                    if (!"None".equals(spec.get("clusterIP"))) {
                        spec.remove("clusterIP");
                        spec.remove("clusterIPs");
                    }
                }
                case PERSISTENTVOLUMECLAIM -> spec.remove("volumeName");
                default -> {
                }
            }
        }
        return object;
    }
}

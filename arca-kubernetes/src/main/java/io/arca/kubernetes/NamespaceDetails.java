package io.arca.kubernetes;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The manifest section of one namespace: what was asked for and which objects the artifact holds,
 * in the artifact's order, so that {@code contents} lists them without reading the artifact and
 * {@code verify} checks that the YAML holds exactly these.
 *
 * @param context the kubeconfig context it was read through ({@code in-cluster} for a pod's service account)
 * @param namespace the namespace
 * @param kinds the kinds asked for ({@code --k8s-kinds} ids)
 * @param selector the label selector, or null for all objects
 * @param serviceAccountTokens whether service-account token Secrets were included
 * @param helmReleases whether Helm release Secrets were included
 * @param objects the objects stored, in order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NamespaceDetails(String context, String namespace, List<String> kinds, String selector,
        boolean serviceAccountTokens, boolean helmReleases, List<StoredObject> objects) {
    public NamespaceDetails {
        kinds = List.copyOf(kinds);
        objects = List.copyOf(objects);
    }

    /**
     * One object of the artifact.
     *
     * @param apiVersion its {@code apiVersion}
     * @param kind its {@code kind}
     * @param name its name
     * @param keys for a Secret, the names of its keys ({@code data} and {@code stringData}), sorted;
     *     never values. Null for other kinds
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StoredObject(String apiVersion, String kind, String name, List<String> keys) {
        public StoredObject {
            keys = keys == null ? null : List.copyOf(keys);
        }

        /** {@code secret/db-credentials}, as kubectl names objects. */
        public String ref() {
            return kind.toLowerCase(java.util.Locale.ROOT) + "/" + name;
        }
    }
}

package io.arca.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Optional;

/**
 * Which objects a backup leaves out although their kind was asked for: Secrets that hold a service
 * account's token (the cluster makes them anew for each account) and Helm's release records (a
 * restored release record makes Helm believe in a release whose objects may not exist), unless
 * asked to include them; and the {@code kube-root-ca.crt} ConfigMap that the cluster writes into
 * every namespace.
 *
 * @param serviceAccountTokens whether to include service-account token Secrets
 * @param helmReleases whether to include Helm release Secrets
 */
record ObjectFilter(boolean serviceAccountTokens, boolean helmReleases) {
    static final String SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";
    static final String HELM_RELEASE = "helm.sh/release.v1";
    static final String ROOT_CA = "kube-root-ca.crt";

    /** Why {@code object} is left out ({@code service-account token}), or empty when it is stored. */
    Optional<String> leftOut(ObjectKind kind, GenericKubernetesResource object) {
        if (kind == ObjectKind.SECRET) {
            Object type = object.getAdditionalProperties().get("type");
            if (SERVICE_ACCOUNT_TOKEN.equals(type) && !serviceAccountTokens) {
                return Optional.of("service-account token (--k8s-include-service-account-tokens includes them)");
            }
            if (HELM_RELEASE.equals(type) && !helmReleases) {
                return Optional.of("helm release (--k8s-include-helm-releases includes them)");
            }
        }
        if (kind == ObjectKind.CONFIGMAP && ROOT_CA.equals(object.getMetadata().getName())) {
            return Optional.of("written by the cluster");
        }
        return Optional.empty();
    }
}

package io.arca.kubernetes;

import io.arca.core.error.UsageException;
import io.arca.core.source.SourceOptions;
import java.util.List;
import java.util.Optional;

/**
 * What {@code arca backup}'s Kubernetes options ask for.
 *
 * @param namespaces the namespaces, each its own section and artifact
 * @param selector a label selector ({@code app=shop,tier!=cache}), or null for every object
 * @param kinds the kinds, in apply order
 * @param context the kubeconfig context, or empty for the current one
 * @param filter which objects of those kinds are left out
 * @param allowPlaintextSecrets whether Secrets may go into an unencrypted repository
 */
record BackupSettings(List<String> namespaces, String selector, List<ObjectKind> kinds, Optional<String> context,
        ObjectFilter filter, boolean allowPlaintextSecrets) {
    static final String NAMESPACE = "--k8s-namespace";
    static final String SELECTOR = "--k8s-selector";
    static final String KINDS = "--k8s-kinds";
    static final String CONTEXT = "--k8s-context";
    static final String TOKENS = "--k8s-include-service-account-tokens";
    static final String HELM = "--k8s-include-helm-releases";
    static final String PLAINTEXT = "--allow-plaintext-secrets";

    static BackupSettings of(SourceOptions options) {
        List<String> namespaces = namespaces(options, NAMESPACE);
        if (namespaces.isEmpty()) {
            throw new UsageException(NAMESPACE + " is needed for a kubernetes backup",
                    "name the namespace whose objects to back up: " + NAMESPACE + " NS", null);
        }
        String selector = options.value(SELECTOR).map(String::trim).orElse(null);
        if (selector != null && selector.isEmpty()) {
            throw new UsageException(SELECTOR + " is empty", "give a label selector such as app=shop, or leave it out", null);
        }
        List<ObjectKind> kinds = options.has(KINDS) ? ObjectKind.parse(options.list(KINDS)) : ObjectKind.DEFAULT;
        if (kinds.isEmpty()) {
            throw new UsageException(KINDS + " names no kind", "give a comma list such as configmap,secret", null);
        }
        return new BackupSettings(namespaces, selector, kinds, context(options),
                new ObjectFilter(options.has(TOKENS), options.has(HELM)), options.has(PLAINTEXT));
    }

    /** The namespaces an option names, checked against Kubernetes' naming rule, each once. */
    static List<String> namespaces(SourceOptions options, String option) {
        List<String> names = options.list(option).stream().distinct().toList();
        names.forEach(n -> checkNamespace(option, n));
        return names;
    }

    static String checkNamespace(String option, String name) {
        if (!name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new UsageException("'" + name + "' given to " + option + " is not a kubernetes namespace name",
                    "namespace names are up to 63 lowercase letters, digits and '-'", null);
        }
        return name;
    }

    static Optional<String> context(SourceOptions options) {
        Optional<String> context = options.value(CONTEXT).map(String::trim);
        if (context.isPresent() && context.get().isEmpty()) {
            throw new UsageException(CONTEXT + " is empty", "name a kubeconfig context, or leave it out", null);
        }
        return context;
    }
}

package io.arca.kubernetes;

import io.arca.core.error.UsageException;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.source.SourceOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@code arca restore}'s Kubernetes options ask for.
 *
 * @param namespaces the backed-up namespaces to restore (empty: none; the hooks may still run)
 * @param toNamespace the namespace to restore into instead of each object's own, if given
 * @param kinds the kinds to restore; empty for every kind the backup holds
 * @param context the kubeconfig context, or empty for the current one
 * @param only whether the Kubernetes objects are restored alone ({@code --k8s-only})
 * @param scaleDown the workloads to scale to zero around the restore
 * @param rolloutRestart the workloads to restart after a successful restore
 * @param waitLimit how long {@code --scale-down} waits for the pods to end
 */
record RestoreSettings(List<String> namespaces, Optional<String> toNamespace, List<ObjectKind> kinds,
        Optional<String> context, boolean only, List<Workload> scaleDown, List<Workload> rolloutRestart,
        Duration waitLimit) {
    static final String NAMESPACE = BackupSettings.NAMESPACE;
    static final String TO_NAMESPACE = "--to-namespace";
    static final String ONLY = "--k8s-only";
    static final String KINDS = BackupSettings.KINDS;
    static final String CONTEXT = BackupSettings.CONTEXT;
    static final String SCALE_DOWN = "--scale-down";
    static final String ROLLOUT_RESTART = "--rollout-restart";
    static final String WAIT = "--k8s-wait";
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);

    static RestoreSettings of(SourceOptions options) {
        List<String> namespaces = BackupSettings.namespaces(options, NAMESPACE);
        Optional<String> to = options.value(TO_NAMESPACE).map(n -> BackupSettings.checkNamespace(TO_NAMESPACE, n.trim()));
        boolean hooks = options.has(SCALE_DOWN) || options.has(ROLLOUT_RESTART);
        if (namespaces.isEmpty()) {
            for (String needs : hooks ? List.of(TO_NAMESPACE, ONLY, KINDS) : List.of(TO_NAMESPACE, ONLY, KINDS, CONTEXT)) {
                if (options.has(needs)) {
                    throw new UsageException(needs + " needs " + NAMESPACE,
                            "name the backed-up namespace to restore: " + NAMESPACE + " NS", null);
                }
            }
        }
        if (to.isPresent() && namespaces.size() > 1) {
            throw new UsageException(TO_NAMESPACE + " restores one namespace, and " + NAMESPACE + " names "
                    + namespaces.size(), "restore the namespaces one at a time", null);
        }
        List<ObjectKind> kinds = options.has(KINDS) ? ObjectKind.parse(options.list(KINDS)) : List.of();
        if (options.has(KINDS) && kinds.isEmpty()) {
            throw new UsageException(KINDS + " names no kind", "give a comma list such as configmap,secret", null);
        }
        Duration wait = options.value(WAIT).map(RestoreSettings::duration).orElse(DEFAULT_WAIT);
        if (options.has(WAIT) && !options.has(SCALE_DOWN)) {
            throw new UsageException(WAIT + " is for " + SCALE_DOWN, "leave it out, or add " + SCALE_DOWN
                    + " deployment/NAME", null);
        }
        return new RestoreSettings(namespaces, to, kinds, BackupSettings.context(options), options.has(ONLY),
                options.all(SCALE_DOWN).stream().map(w -> Workload.parse(SCALE_DOWN, w)).distinct().toList(),
                options.all(ROLLOUT_RESTART).stream().map(w -> Workload.parse(ROLLOUT_RESTART, w)).distinct().toList(),
                wait);
    }

    /**
     * The namespace the hooks act in: {@code --to-namespace}, else the one {@code --k8s-namespace}
     * names, else the context's own (as kubectl does), which is null here and found on connecting.
     */
    Optional<String> hookNamespace(String option) {
        if (toNamespace.isPresent()) {
            return toNamespace;
        }
        if (namespaces.size() > 1) {
            throw new UsageException(option + " acts in one namespace, and " + NAMESPACE + " names "
                    + namespaces.size(), "add " + TO_NAMESPACE + " NS, or restore one namespace at a time", null);
        }
        return namespaces.stream().findFirst();
    }

    private static Duration duration(String text) {
        Duration d = DurationText.parse(text.trim());
        if (d.isZero()) {
            throw new UsageException(WAIT + " must be longer than 0s", "give a duration such as 90s or 5m", null);
        }
        return d;
    }

    /** A workload a hook acts on: {@code deployment/web}. */
    record Workload(String kind, String name) {
        static Workload parse(String option, String text) {
            String t = text.trim();
            int slash = t.indexOf('/');
            String kind = slash < 0 ? "" : t.substring(0, slash).toLowerCase(java.util.Locale.ROOT);
            String name = slash < 0 ? "" : t.substring(slash + 1);
            kind = switch (kind) {
                case "deployment", "deployments", "deploy" -> "deployment";
                case "statefulset", "statefulsets", "sts" -> "statefulset";
                default -> null;
            };
            if (kind == null || !name.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
                throw new UsageException("'" + text + "' given to " + option + " is not deployment/NAME or statefulset/NAME",
                        "name the workload as kubectl does: deployment/web", null);
            }
            return new Workload(kind, name);
        }

        @Override
        public String toString() {
            return kind + "/" + name;
        }
    }
}

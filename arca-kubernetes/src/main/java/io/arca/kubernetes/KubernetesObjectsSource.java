package io.arca.kubernetes;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.source.BackupContext;
import io.arca.core.source.BackupPart;
import io.arca.core.source.BackupSource;
import io.arca.core.source.Hook;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.core.source.SourceOption;
import io.arca.core.source.SourceOptions;
import io.arca.core.source.VerifyContext;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code kubernetes.objects} source: a namespace's ConfigMaps and Secrets (and other kinds asked
 * for) as multi-document YAML, one artifact per namespace, that {@code kubectl apply -f} restores by
 * hand; restored by Arca without overwriting (unless {@code --clean}) and without deleting; and the
 * restore hooks that scale workloads down and up around a restore. See {@code docs/kubernetes.md}.
 */
public final class KubernetesObjectsSource implements BackupSource {
    /** The source id in manifests. */
    public static final String ID = "kubernetes.objects";

    private final Function<Optional<String>, KubeConnection> connect;
    private final Clock clock;

    public KubernetesObjectsSource() {
        this(KubeConnection::open, Clock.systemUTC());
    }

    KubernetesObjectsSource(Function<Optional<String>, KubeConnection> connect, Clock clock) {
        this.connect = connect;
        this.clock = clock;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String title() {
        return "Kubernetes objects";
    }

    @Override
    public List<SourceOption> backupOptions() {
        return List.of(
                SourceOption.values(BackupSettings.NAMESPACE, "NS",
                        "Back up this namespace's objects (repeatable, or a comma list); selects the Kubernetes source."),
                SourceOption.value(BackupSettings.SELECTOR, "LABELS",
                        "Only objects with these labels, as kubectl -l takes them: app=shop,tier!=cache."),
                SourceOption.value(BackupSettings.KINDS, "KINDS",
                        "The kinds to back up, a comma list (default configmap,secret): " + kindList() + "."),
                SourceOption.value(BackupSettings.CONTEXT, "NAME",
                        "The kubeconfig context (default: the current one, or the pod's service account)."),
                SourceOption.flag(BackupSettings.TOKENS,
                        "Include Secrets that hold service-account tokens (left out by default)."),
                SourceOption.flag(BackupSettings.HELM,
                        "Include Helm release Secrets (type helm.sh/release.v1; left out by default)."),
                SourceOption.flag(BackupSettings.PLAINTEXT,
                        "Store Secrets in a repository without encryption (refused otherwise)."));
    }

    /**
     * Any of the options selects the source, so that one given without {@code --k8s-namespace} is
     * a usage error ({@link #checkBackup}) rather than silently ignored.
     */
    @Override
    public boolean backupSelected(SourceOptions options) {
        return backupOptions().stream().anyMatch(o -> options.has(o.name()));
    }

    @Override
    public void checkBackup(SourceOptions options) {
        BackupSettings.of(options);
    }

    @Override
    public List<BackupPart> backup(BackupContext context, SourceOptions options) throws IOException {
        BackupSettings settings = BackupSettings.of(options);
        if (settings.kinds().contains(ObjectKind.SECRET) && !context.encrypted() && !settings.allowPlaintextSecrets()) {
            throw new ArcaException(ErrorCode.KEY, "secrets of namespace '" + String.join("', '", settings.namespaces())
                    + "' would be stored unencrypted: this backup has no encryption key",
                    "encrypt the backup (--encrypt-to FILE or ARCA_PUBLIC_KEY, or a passphrase), leave secrets out with "
                            + BackupSettings.KINDS + " configmap,..., or accept plaintext with "
                            + BackupSettings.PLAINTEXT);
        }
        List<BackupPart> parts = new ArrayList<>();
        try (KubeConnection connection = connect.apply(settings.context())) {
            NamespaceBackup backup = new NamespaceBackup(connection, settings);
            for (String namespace : settings.namespaces()) {
                parts.add(backup.run(context, namespace));
            }
            String version = serverVersion(connection);
            if (version != null && !parts.isEmpty()) {
                BackupPart first = parts.get(0);
                Map<String, String> tools = new LinkedHashMap<>(first.tools());
                tools.put("kubernetes", version);
                parts.set(0, new BackupPart(first.section(), first.artifacts(), tools, first.timings()));
            }
        }
        return parts;
    }

    /** The API server's version, for the manifest's tools; null when it will not say. */
    private static String serverVersion(KubeConnection connection) {
        try {
            var info = connection.client().getKubernetesVersion();
            return info == null ? null : info.getGitVersion();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public List<SourceOption> restoreOptions() {
        return List.of(
                SourceOption.values(RestoreSettings.NAMESPACE, "NS",
                        "Restore the objects of this backed-up namespace (repeatable, or a comma list)."),
                SourceOption.value(RestoreSettings.TO_NAMESPACE, "NS",
                        "Restore them into this namespace instead of their own."),
                SourceOption.flag(RestoreSettings.ONLY, "Restore the Kubernetes objects alone, not the database."),
                SourceOption.value(RestoreSettings.KINDS, "KINDS",
                        "Restore only these kinds, a comma list: configmap,secret."),
                SourceOption.value(RestoreSettings.CONTEXT, "NAME",
                        "The kubeconfig context (default: the current one, or the pod's service account)."),
                SourceOption.values(RestoreSettings.SCALE_DOWN, "deployment/NAME",
                        "Scale this workload to 0 and wait for its pods to end before the restore, and back to its "
                                + "replicas afterwards, even when the restore fails (repeatable)."),
                SourceOption.values(RestoreSettings.ROLLOUT_RESTART, "deployment/NAME",
                        "Restart this workload's pods after a successful restore, as kubectl rollout restart (repeatable)."),
                SourceOption.value(RestoreSettings.WAIT, "DURATION",
                        "How long --scale-down waits for the pods to end (default 5m)."));
    }

    /**
     * Any of the options selects the source: a namespace to restore, or the hooks alone ({@code arca
     * restore --to URL --scale-down deployment/web} scales the application around a database
     * restore); the others without either are usage errors ({@link #checkRestore}).
     */
    @Override
    public boolean restoreSelected(SourceOptions options) {
        return restoreOptions().stream().anyMatch(o -> options.has(o.name()));
    }

    @Override
    public boolean restoreOnly(SourceOptions options) {
        return options.has(RestoreSettings.ONLY);
    }

    @Override
    public void checkRestore(SourceOptions options) {
        RestoreSettings settings = RestoreSettings.of(options);
        if (!settings.scaleDown().isEmpty()) {
            settings.hookNamespace(RestoreSettings.SCALE_DOWN);
        }
        if (!settings.rolloutRestart().isEmpty()) {
            settings.hookNamespace(RestoreSettings.ROLLOUT_RESTART);
        }
    }

    @Override
    public String restore(RestoreContext context, Section section, SourceOptions options) throws IOException {
        RestoreSettings settings = RestoreSettings.of(options);
        NamespaceDetails details = section.details(NamespaceDetails.class);
        if (!settings.namespaces().contains(details.namespace())) {
            return "not restored (" + (settings.namespaces().isEmpty() ? "give " + RestoreSettings.NAMESPACE + " "
                    + details.namespace() + " to restore it" : RestoreSettings.NAMESPACE + " names "
                    + String.join(", ", settings.namespaces())) + ")";
        }
        return new NamespaceRestore(context, settings, connect).run(details, artifact(context.manifest(), section));
    }

    @Override
    public List<String> contents(Repository repository, BackupManifest manifest, Section section) {
        NamespaceDetails details = section.details(NamespaceDetails.class);
        if (details.objects().isEmpty()) {
            return List.of("no objects");
        }
        return details.objects().stream().map(o -> o.ref()
                + (o.keys() == null ? "" : " (keys: " + (o.keys().isEmpty() ? "none" : String.join(", ", o.keys())) + ")"))
                .toList();
    }

    @Override
    public List<String> verify(VerifyContext context, Section section) throws IOException {
        NamespaceDetails details = section.details(NamespaceDetails.class);
        try {
            return ArtifactCheck.problems(context.repository(), context.manifest(), artifact(context.manifest(), section),
                    details.objects());
        } catch (ArcaException e) {
            if (e.code() == ErrorCode.VERIFICATION_FAILED) {
                return List.of(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * A namespace named by {@code --k8s-namespace} that the backup does not hold is a usage error
     * before anything is restored, unless the options also ask for hooks (which may act in a
     * namespace the backup does not hold) or the backup holds no Kubernetes objects at all (the
     * hooks alone take part).
     */
    @Override
    public void checkTargets(RestoreContext context, List<Section> sections, SourceOptions options) {
        RestoreSettings settings = RestoreSettings.of(options);
        if (sections.isEmpty() || !restoreHooks(options).isEmpty()) {
            return;
        }
        List<String> held = sections.stream().map(s -> s.details(NamespaceDetails.class).namespace()).toList();
        List<String> missing = settings.namespaces().stream().filter(n -> !held.contains(n)).toList();
        if (!missing.isEmpty()) {
            throw new io.arca.core.error.UsageException("backup " + context.manifest().backupId() + " holds no"
                    + " namespace " + String.join(", ", missing) + " (it holds " + String.join(", ", held) + ")");
        }
    }

    @Override
    public List<Hook> restoreHooks(SourceOptions options) {
        RestoreSettings settings = RestoreSettings.of(options);
        List<Hook> hooks = new ArrayList<>();
        for (RestoreSettings.Workload w : settings.scaleDown()) {
            hooks.add(new WorkloadHooks.ScaleDown(w, settings.hookNamespace(RestoreSettings.SCALE_DOWN),
                    settings.context(), settings.waitLimit(), connect));
        }
        for (RestoreSettings.Workload w : settings.rolloutRestart()) {
            hooks.add(new WorkloadHooks.RolloutRestart(w, settings.hookNamespace(RestoreSettings.ROLLOUT_RESTART),
                    settings.context(), clock, connect));
        }
        return hooks;
    }

    /** The one artifact of a namespace's section. */
    private static ArtifactRecord artifact(BackupManifest manifest, Section section) {
        List<ArtifactRecord> artifacts = manifest.artifactsOf(section);
        if (artifacts.size() != 1) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "kubernetes section '" + section.subject()
                    + "' of backup '" + manifest.backupId() + "' has " + artifacts.size() + " artifacts, not 1",
                    "the manifest is damaged; restore an older backup");
        }
        return artifacts.get(0);
    }

    private static String kindList() {
        return String.join(", ", Arrays.stream(ObjectKind.values()).map(ObjectKind::id).toList());
    }
}

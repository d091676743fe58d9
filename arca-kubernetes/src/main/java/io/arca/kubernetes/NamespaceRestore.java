package io.arca.kubernetes;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.source.RestoreContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Restores one namespace's objects. First it reads the whole artifact and checks it
 * ({@link ArtifactCheck}); only then does it read it again and apply each object as it is parsed:
 * an object that does not exist is created; one that exists is kept, or replaced with
 * {@code --clean}; nothing is ever deleted. Memory holds one object at a time.
 */
final class NamespaceRestore {
    private static final int NAMES_SHOWN = 5;

    private final RestoreContext context;
    private final RestoreSettings settings;
    private final Function<Optional<String>, KubeConnection> connect;

    NamespaceRestore(RestoreContext context, RestoreSettings settings,
            Function<Optional<String>, KubeConnection> connect) {
        this.context = context;
        this.settings = settings;
        this.connect = connect;
    }

    /** What was created, replaced and kept. */
    record Counts(int created, int replaced, List<String> kept, int leftOut) {
    }

    String run(NamespaceDetails details, ArtifactRecord artifact) throws IOException {
        String source = details.namespace();
        String target = settings.toNamespace().orElse(source);
        List<String> problems = ArtifactCheck.problems(context.repository(), context.manifest(), artifact,
                details.objects());
        if (!problems.isEmpty()) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "kubernetes objects of namespace '" + source
                    + "' in backup '" + context.manifest().backupId() + "' fail their check: " + problems.get(0)
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : ""),
                    "nothing was applied; the backup cannot be trusted: restore an older one");
        }
        context.progress().note("kubernetes namespace '" + source + "': " + details.objects().size()
                + " objects checked; applying them to namespace '" + target + "'");
        int created = 0;
        int replaced = 0;
        int leftOut = 0;
        List<String> kept = new ArrayList<>();
        try (KubeConnection connection = connect.apply(settings.context());
                InputStream in = context.repository().openArtifact(context.manifest(), artifact);
                YamlObjects.Reader reader = YamlObjects.read(in)) {
            int i = 0;
            for (GenericKubernetesResource o = reader.next(); o != null; o = reader.next(), i++) {
                if (i >= details.objects().size() || !details.objects().get(i).equals(NamespaceBackup.stored(o))) {
                    throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "artifact '" + artifact.name()
                            + "' changed while it was restored (object " + (i + 1) + ")",
                            "some objects may have been applied; check the storage, then restore again");
                }
                ObjectKind kind = ObjectKind.of(o.getApiVersion(), o.getKind()).orElseThrow();
                if (!settings.kinds().isEmpty() && !settings.kinds().contains(kind)) {
                    leftOut++;
                    continue;
                }
                switch (apply(connection, kind, o, source, target)) {
                    case CREATED -> created++;
                    case REPLACED -> replaced++;
                    case KEPT -> kept.add(kind.id() + "/" + o.getMetadata().getName());
                }
            }
        }
        return summary(source, target, new Counts(created, replaced, kept, leftOut));
    }

    /** {@code into namespace 'copy': 4 objects created, 0 replaced, 2 kept (...)}; the command line names the section. */
    private String summary(String source, String target, Counts c) {
        StringBuilder b = new StringBuilder();
        if (!source.equals(target)) {
            b.append("into namespace '").append(target).append("': ");
        }
        b.append(c.created()).append(" objects created, ").append(c.replaced()).append(" replaced, ")
                .append(c.kept().size()).append(" kept");
        if (!c.kept().isEmpty()) {
            b.append(" (they exist; --clean replaces them: ")
                    .append(String.join(", ", c.kept().subList(0, Math.min(NAMES_SHOWN, c.kept().size()))))
                    .append(c.kept().size() > NAMES_SHOWN ? ", ..." : "").append(")");
        }
        if (c.leftOut() > 0) {
            b.append(", ").append(c.leftOut()).append(" left out by ").append(RestoreSettings.KINDS);
        }
        return b.toString();
    }

    private enum Outcome { CREATED, REPLACED, KEPT }

    private Outcome apply(KubeConnection connection, ObjectKind kind, GenericKubernetesResource object, String source,
            String target) {
        String name = object.getMetadata().getName();
        String what = kind.id() + "/" + name + " in namespace '" + target + "'";
        object.getMetadata().setNamespace(target);
        if (kind == ObjectKind.ROLEBINDING && !source.equals(target)) {
            moveSubjects(object, source, target);
        }
        NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> objects =
                connection.client().genericKubernetesResources(kind.context()).inNamespace(target);
        GenericKubernetesResource existing = get(connection, objects, name, what);
        if (existing == null) {
            try {
                objects.resource(object).create();
                return Outcome.CREATED;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    throw new ArcaException(ErrorCode.FAILURE, "namespace '" + target + "' does not exist",
                            "create it first (kubectl create namespace " + target + "), then restore again", e);
                }
                if (e.getCode() != 409) {
                    throw KubeErrors.of(e, "create " + what, connection);
                }
                // made by someone else since we looked
                existing = get(connection, objects, name, what);
            }
        }
        if (!context.clean() || existing == null) {
            return Outcome.KEPT;
        }
        object.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        keepAssigned(kind, object, existing);
        try {
            objects.resource(object).update();
        } catch (KubernetesClientException e) {
            throw KubeErrors.of(e, "replace " + what, connection);
        }
        return Outcome.REPLACED;
    }

    private static GenericKubernetesResource get(KubeConnection connection,
            NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> objects,
            String name, String what) {
        try {
            return objects.withName(name).get();
        } catch (KubernetesClientException e) {
            throw KubeErrors.of(e, "read " + what, connection);
        }
    }

    /**
     * What the cluster assigned to the object being replaced and will not let change: a Service's
     * cluster IPs, a claim's volume (the backup holds neither).
     */
    @SuppressWarnings("unchecked")
    private static void keepAssigned(ObjectKind kind, GenericKubernetesResource object, GenericKubernetesResource existing) {
        if (!(object.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)
                || !(existing.getAdditionalProperties().get("spec") instanceof Map<?, ?> old)) {
            return;
        }
        List<String> fields = switch (kind) {
            case SERVICE -> List.of("clusterIP", "clusterIPs");
            case PERSISTENTVOLUMECLAIM -> List.of("volumeName");
            default -> List.of();
        };
        for (String f : fields) {
            if (!spec.containsKey(f) && old.get(f) != null) {
                ((Map<String, Object>) spec).put(f, old.get(f));
            }
        }
    }

    /** A RoleBinding restored elsewhere binds the service accounts of its new namespace, not those of the old one. */
    @SuppressWarnings("unchecked")
    private static void moveSubjects(GenericKubernetesResource binding, String source, String target) {
        if (binding.getAdditionalProperties().get("subjects") instanceof List<?> subjects) {
            for (Object s : subjects) {
                if (s instanceof Map<?, ?> subject && "ServiceAccount".equals(subject.get("kind"))
                        && source.equals(subject.get("namespace"))) {
                    ((Map<String, Object>) subject).put("namespace", target);
                }
            }
        }
    }
}

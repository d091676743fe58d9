package io.arca.kubernetes;

import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.source.BackupContext;
import io.arca.core.source.BackupPart;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Backs up one namespace: lists each kind asked for a page at a time, cleans each object
 * ({@link ObjectCleaner}) and writes it into the artifact as soon as it is read, so memory holds one
 * page of objects whatever the namespace holds.
 */
final class NamespaceBackup {
    /** The artifact's format in the manifest: multi-document YAML of Kubernetes objects. */
    static final String FORMAT = "kubernetes-yaml";
    /** Objects per list request (the API server pages with continue tokens). */
    private static final long PAGE = 250;

    private final KubeConnection connection;
    private final BackupSettings settings;

    NamespaceBackup(KubeConnection connection, BackupSettings settings) {
        this.connection = connection;
        this.settings = settings;
    }

    /** The artifact name of a namespace's objects. */
    static String artifactName(String namespace) {
        return "k8s-" + namespace + ".yaml";
    }

    BackupPart run(BackupContext context, String namespace) throws IOException {
        long started = System.nanoTime();
        String name = artifactName(namespace);
        List<NamespaceDetails.StoredObject> objects = new ArrayList<>();
        Map<String, Integer> leftOut = new LinkedHashMap<>();
        ArtifactRecord record;
        try (ArtifactOutput out = context.pending().openArtifact(name, context.codec())) {
            OutputStream yaml = new BufferedOutputStream(out, 64 * 1024);
            for (ObjectKind kind : settings.kinds()) {
                String next = null;
                do {
                    GenericKubernetesResourceList page = list(kind, namespace, next);
                    for (GenericKubernetesResource object : page.getItems()) {
                        var reason = settings.filter().leftOut(kind, object);
                        if (reason.isPresent()) {
                            leftOut.merge(kind.id() + ": " + reason.get(), 1, Integer::sum);
                            continue;
                        }
                        YamlObjects.write(ObjectCleaner.clean(kind, object), yaml);
                        objects.add(stored(object));
                    }
                    next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
                } while (next != null && !next.isEmpty());
            }
            yaml.flush();
            ArtifactDigest digest = out.finish();
            record = ArtifactRecord.of(name, KubernetesObjectsSource.ID, FORMAT, out, digest, List.of());
        }
        context.progress().note("kubernetes namespace '" + namespace + "': " + objects.size() + " objects");
        leftOut.forEach((why, n) -> context.progress().note("kubernetes namespace '" + namespace + "': left out " + n
                + " " + why));
        NamespaceDetails details = new NamespaceDetails(connection.context(), namespace,
                settings.kinds().stream().map(ObjectKind::id).toList(), settings.selector(),
                settings.filter().serviceAccountTokens(), settings.filter().helmReleases(), objects);
        Section section = Section.of(KubernetesObjectsSource.ID, subject(connection.context(), namespace), List.of(),
                false, details);
        return new BackupPart(section, List.of(record), Map.of(),
                Map.of("kubernetes." + namespace + ".millis", (System.nanoTime() - started) / 1_000_000));
    }

    /** {@code k8s://<context>/<namespace>}. */
    static Subject subject(String context, String namespace) {
        return Subject.of("k8s", context, namespace);
    }

    private GenericKubernetesResourceList list(ObjectKind kind, String namespace, String continueToken) {
        try {
            return connection.client().genericKubernetesResources(kind.context()).inNamespace(namespace)
                    .list(new ListOptionsBuilder().withLabelSelector(settings.selector()).withLimit(PAGE)
                            .withContinue(continueToken).build());
        } catch (KubernetesClientException e) {
            throw KubeErrors.of(e, "list " + kind.plural() + " in namespace '" + namespace + "'", connection);
        }
    }

    /** What the section records of an object: for a Secret its key names, never its values. */
    static NamespaceDetails.StoredObject stored(GenericKubernetesResource object) {
        List<String> keys = null;
        if ("Secret".equals(object.getKind()) && "v1".equals(object.getApiVersion())) {
            TreeSet<String> names = new TreeSet<>();
            for (String field : List.of("data", "stringData")) {
                if (object.getAdditionalProperties().get(field) instanceof Map<?, ?> m) {
                    m.keySet().forEach(k -> names.add(String.valueOf(k)));
                }
            }
            keys = List.copyOf(names);
        }
        return new NamespaceDetails.StoredObject(object.getApiVersion(), object.getKind(),
                object.getMetadata().getName(), keys);
    }
}

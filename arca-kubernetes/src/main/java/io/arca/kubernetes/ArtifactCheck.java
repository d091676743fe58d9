package io.arca.kubernetes;

import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;

/**
 * Reads a namespace's artifact whole and checks it against its section: the stored bytes against
 * the manifest's digests (at the end of the stream), the YAML, and the objects it holds against the
 * section's list (kinds, names, Secret key names, order). A restore runs this before it applies
 * anything, so a damaged artifact changes nothing in the cluster.
 */
final class ArtifactCheck {
    private static final int MAX_PROBLEMS = 10;

    private ArtifactCheck() {
    }

    /**
     * The problems of {@code artifact}, one line each; empty when it holds exactly {@code expected}.
     *
     * @throws io.arca.core.error.ArcaException VERIFICATION_FAILED when the bytes differ from the
     *     manifest's digests (or do not decode)
     */
    static List<String> problems(Repository repository, BackupManifest manifest, ArtifactRecord artifact,
            List<NamespaceDetails.StoredObject> expected) throws IOException {
        List<String> problems = new ArrayList<>();
        try (InputStream in = repository.openArtifact(manifest, artifact)) {
            int i = 0;
            try (YamlObjects.Reader reader = YamlObjects.read(in)) {
                for (GenericKubernetesResource o = reader.next(); o != null; o = reader.next()) {
                    NamespaceDetails.StoredObject got = NamespaceBackup.stored(o);
                    if (ObjectKind.of(o.getApiVersion(), o.getKind()).isEmpty()) {
                        add(problems, "artifact '" + artifact.name() + "' holds " + o.getApiVersion() + " "
                                + o.getKind() + " '" + got.name() + "', a kind this arca does not restore");
                    }
                    if (i >= expected.size()) {
                        add(problems, "artifact '" + artifact.name() + "' holds " + got.ref()
                                + ", which the manifest does not list");
                    } else if (!expected.get(i).equals(got)) {
                        add(problems, "artifact '" + artifact.name() + "' holds " + describe(got) + " where the manifest lists "
                                + describe(expected.get(i)));
                    }
                    i++;
                }
            } catch (JacksonException e) {
                // the digest check at the end says whether these are the stored bytes
                in.transferTo(OutputStream.nullOutputStream());
                add(problems, "artifact '" + artifact.name() + "' is not valid yaml: "
                        + e.getOriginalMessage().replaceAll("\\s+", " "));
                return problems;
            }
            in.transferTo(OutputStream.nullOutputStream());
            if (i < expected.size()) {
                add(problems, "artifact '" + artifact.name() + "' holds " + i + " objects, the manifest lists "
                        + expected.size());
            }
        }
        return problems;
    }

    private static String describe(NamespaceDetails.StoredObject o) {
        return o.ref() + (o.keys() == null ? "" : " (keys " + String.join(", ", o.keys()) + ")");
    }

    private static void add(List<String> problems, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }
}

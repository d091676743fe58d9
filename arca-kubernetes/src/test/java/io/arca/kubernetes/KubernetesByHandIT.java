package io.arca.kubernetes;

import io.arca.testkit.docs.DocBlocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.crypto.KeyGeneration;
import io.arca.core.crypto.KeyMaterial;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the "Restoring by hand" blocks of {@code docs/repository-format.md} exactly as written, with only
 * {@code zstd}, {@code gpg} and {@code kubectl}, against a backup Arca took: the objects deleted after
 * the backup are back, with their data.
 */
class KubernetesByHandIT extends KubernetesTestBase {
    private static final String KINDS = "configmap,secret,service,deployment";

    @Test
    void documentedCommandsApplyTheBackupWithKubectl() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 2);
        Repository repo = plainRepository();
        backup(repo, "--k8s-namespace", ns, "--k8s-kinds", KINDS, "--allow-plaintext-secrets");
        deleteApplication(ns);

        String log = runDocumented("by-hand-restore-k8s", ns, Map.of());

        assertThat(log).contains(": OK").contains("kind: \"Secret\"").contains("name: \"db-credentials\"");
        assertRestored(ns);
    }

    @Test
    void documentedCommandsApplyAnEncryptedBackupWithGpgAndKubectl() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 2);
        KeyGeneration.KeyPair key = KeyGeneration.generate("Ops <ops@example.com>", null, new Date());
        EncryptionKeys keys = EncryptionKeys.of(KeyMaterial.publicKeys(key.publicKey().getBytes(StandardCharsets.UTF_8),
                "ops.pub.asc"), null);
        Repository repo = Repository.init(new LocalFileStorage(dir.resolve("repo")),
                new RepositoryConfig.Defaults("zstd:3"), keys, Clock.systemUTC()).withKeys(keys, null);
        backup(repo, "--k8s-namespace", ns, "--k8s-kinds", KINDS);
        deleteApplication(ns);
        Path gnupg = Files.createDirectory(dir.resolve("gnupg"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path keyFile = dir.resolve("ops.key.asc");
        Files.writeString(keyFile, key.privateKey());
        run(new ProcessBuilder("gpg", "--homedir", gnupg.toString(), "--batch", "--import", keyFile.toString()),
                dir.resolve("gpg-import.log"), "gpg is needed: apt-get install gnupg");

        runDocumented("by-hand-restore-k8s-encrypted", ns, Map.of("GNUPGHOME", gnupg.toString()));

        assertRestored(ns);
    }

    /**
     * Deletes every object the backup holds, as after a loss (the mock cannot take kubectl's
     * strategic merge patch of an object that still exists; a real cluster can).
     */
    private static void deleteApplication(String ns) {
        client().configMaps().inNamespace(ns).withName("app-config").delete();
        client().configMaps().inNamespace(ns).withName("other").delete();
        client().secrets().inNamespace(ns).withName("db-credentials").delete();
        client().services().inNamespace(ns).withName("web").delete();
        client().apps().deployments().inNamespace(ns).withName("web").delete();
        assertThat(client().configMaps().inNamespace(ns).withName("app-config").get()).isNull();
    }

    private static void assertRestored(String ns) {
        assertThat(client().configMaps().inNamespace(ns).withName("app-config").get().getData())
                .isEqualTo(Map.of("greeting", "hello", "count", "1", "enabled", "true"));
        assertThat(client().configMaps().inNamespace(ns).withName("other").get().getData()).isEqualTo(Map.of("k", "v"));
        assertThat(client().secrets().inNamespace(ns).withName("db-credentials").get().getData())
                .containsEntry("password", Fixtures.b64("s3cr3t-value"));
        assertThat(client().services().inNamespace(ns).withName("web").get().getSpec().getPorts()).hasSize(1);
        assertThat(client().apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
                .isEqualTo(2);
    }

    /** Runs a documented block in {@code dir} with bash -euo pipefail; returns what it printed. */
    private String runDocumented(String marker, String ns, Map<String, String> env) throws Exception {
        Path work = Files.createDirectories(dir.resolve("by-hand"));
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c",
                DocBlocks.shell(DocBlocks.REPOSITORY_FORMAT, marker))
                .directory(work.toFile());
        pb.environment().putAll(env);
        pb.environment().put("REPO", dir.resolve("repo").toString());
        pb.environment().put("NAMESPACE", ns);
        pb.environment().put("KUBECONFIG", server.kubeconfig().toString());
        pb.environment().put("PATH", kubectlShim() + File.pathSeparator + System.getenv("PATH"));
        return run(pb, dir.resolve(marker + ".log"), "the by-hand restore needs bash, zstd, gpg and kubectl: "
                + "apt-get install zstd gnupg kubernetes-client");
    }

    private static String run(ProcessBuilder pb, Path log, String needs) throws Exception {
        pb.redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(new File("/dev/null"));
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            throw new AssertionError(needs + " (" + e.getMessage() + ")", e);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished within 2 minutes").isTrue();
        String output = Files.readString(log);
        assertThat(p.exitValue()).as("%s failed:\n%s", pb.command(), output).isZero();
        return output;
    }

    /**
     * A directory whose {@code kubectl} is the real one, with {@code apply --validate=false} when the
     * server is the mock: it serves no OpenAPI documents to validate against. A real cluster gets
     * the documented command unchanged.
     */
    private Path kubectlShim() throws Exception {
        String real = null;
        for (String d : System.getenv("PATH").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, "kubectl"))) {
                real = Path.of(d, "kubectl").toString();
                break;
            }
        }
        assertThat(real).as("kubectl is not installed; the by-hand restore test needs it: "
                + "apt-get install kubernetes-client").isNotNull();
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path shim = bin.resolve("kubectl");
        String validate = server.isMock() ? " --validate=false" : "";
        Files.writeString(shim, "#!/bin/sh\nif [ \"$1\" = apply ]; then shift; exec '" + real + "' apply" + validate
                + " \"$@\"; fi\nexec '" + real + "' \"$@\"\n");
        shim.toFile().setExecutable(true);
        return bin;
    }

}

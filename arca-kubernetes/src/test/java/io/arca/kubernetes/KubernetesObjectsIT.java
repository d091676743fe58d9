package io.arca.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.source.Section;
import io.arca.core.source.VerifyContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Backup and restore of a namespace's objects, through the source as the command line drives it. */
class KubernetesObjectsIT extends KubernetesTestBase {
    private static final String ALL_KINDS = "configmap,secret,service,deployment";

    @Test
    void backupStoresCleanedObjectsThatRestoreIntoAnotherNamespace() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 2);
        Repository repo = encryptedRepository();

        BackupManifest manifest = backup(repo, "--k8s-namespace", ns, "--k8s-kinds", ALL_KINDS);

        Section section = manifest.section(KubernetesObjectsSource.ID).orElseThrow();
        assertThat(section.subject().uri()).isEqualTo("k8s://" + server.context() + "/" + ns);
        assertThat(section.artifacts()).containsExactly("k8s-" + ns + ".yaml");
        assertThat(manifest.artifacts().get(0).file()).isEqualTo("k8s-" + ns + ".yaml.zst.gpg");
        NamespaceDetails details = section.details(NamespaceDetails.class);
        assertThat(details.namespace()).isEqualTo(ns);
        assertThat(details.kinds()).containsExactly("configmap", "secret", "service", "deployment");
        assertThat(details.objects()).extracting(NamespaceDetails.StoredObject::ref).containsExactly(
                "configmap/app-config", "configmap/other", "secret/db-credentials", "service/web", "deployment/web");
        assertThat(details.objects().get(2).keys()).containsExactly("password", "username");
        assertThat(details.objects().get(0).keys()).isNull();
        String manifestJson = new String(io.arca.core.repo.RepositoryJson.write(manifest), StandardCharsets.UTF_8);
        assertThat(manifestJson).doesNotContain("s3cr3t-value").doesNotContain(Fixtures.b64("s3cr3t-value"));

        String yaml = plainText(repo, manifest);
        assertThat(yaml).startsWith("---\n");
        assertThat(yaml.split("(?m)^---$")).hasSize(6);
        for (String assigned : List.of("uid:", "resourceVersion:", "creationTimestamp:", "managedFields:",
                "generation:", "status:", "ownerReferences:", "last-applied-configuration", "clusterIP", "selfLink:")) {
            assertThat(yaml).as("stored yaml holds %s", assigned).doesNotContain(assigned);
        }
        assertThat(yaml).contains("team: \"payments\"").contains("namespace: \"" + ns + "\"");

        String target = server.namespace("shop-copy");
        List<String> lines = restore(repo, manifest, false, "--k8s-namespace", ns, "--to-namespace", target);

        assertThat(lines).containsExactly("into namespace '" + target + "': 5 objects created, 0 replaced, 0 kept");
        ConfigMap config = client().configMaps().inNamespace(target).withName("app-config").get();
        assertThat(config.getData()).isEqualTo(Map.of("greeting", "hello", "count", "1", "enabled", "true"));
        assertThat(config.getMetadata().getLabels()).containsEntry("app", "shop");
        assertThat(config.getMetadata().getAnnotations()).containsEntry("team", "payments")
                .doesNotContainKey("kubectl.kubernetes.io/last-applied-configuration");
        Secret secret = client().secrets().inNamespace(target).withName("db-credentials").get();
        assertThat(secret.getData()).containsEntry("password", Fixtures.b64("s3cr3t-value"));
        assertThat(secret.getType()).isEqualTo("Opaque");
        Service service = client().services().inNamespace(target).withName("web").get();
        assertThat(service.getSpec().getPorts()).hasSize(1);
        assertThat(service.getSpec().getClusterIP()).isNotEqualTo("10.96.0.12");
        Deployment deployment = client().apps().deployments().inNamespace(target).withName("web").get();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(client().secrets().inNamespace(target).withName("default-token").get()).isNull();
        assertThat(client().secrets().inNamespace(target).withName("sh.helm.release.v1.shop.v1").get()).isNull();

        assertThat(source.verify(new VerifyContext(repo, manifest, Progress.NONE), section)).isEmpty();
        assertThat(source.contents(repo, manifest, section)).containsExactly("configmap/app-config",
                "configmap/other", "secret/db-credentials (keys: password, username)", "service/web", "deployment/web");
    }

    @Test
    void restoreKeepsWhatExistsReplacesItOnlyWithCleanAndNeverDeletes() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 1);
        Repository repo = encryptedRepository();
        BackupManifest manifest = backup(repo, "--k8s-namespace", ns);

        // after the backup: one object changed, one gone, one new
        client().configMaps().inNamespace(ns).withName("app-config").edit(c -> new ConfigMapBuilder(c)
                .withData(Map.of("greeting", "changed")).build());
        client().configMaps().inNamespace(ns).withName("other").delete();
        client().configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("added")
                .endMetadata().withData(Map.of("a", "b")).build()).create();

        List<String> kept = restore(repo, manifest, false, "--k8s-namespace", ns);

        assertThat(kept).containsExactly("1 objects created, 0 replaced, 2 kept "
                + "(they exist; --clean replaces them: configmap/app-config, secret/db-credentials)");
        assertThat(client().configMaps().inNamespace(ns).withName("app-config").get().getData())
                .isEqualTo(Map.of("greeting", "changed"));
        assertThat(client().configMaps().inNamespace(ns).withName("other").get().getData()).isEqualTo(Map.of("k", "v"));

        List<String> replaced = restore(repo, manifest, true, "--k8s-namespace", ns);

        assertThat(replaced).containsExactly("0 objects created, 3 replaced, 0 kept");
        assertThat(client().configMaps().inNamespace(ns).withName("app-config").get().getData())
                .isEqualTo(Map.of("greeting", "hello", "count", "1", "enabled", "true"));
        assertThat(client().configMaps().inNamespace(ns).withName("added").get()).as("never deleted").isNotNull();
        assertThat(client().secrets().inNamespace(ns).withName("sh.helm.release.v1.shop.v1").get()).isNotNull();
    }

    @Test
    void cleanKeepsTheClusterIpOfAServiceItReplaces() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 1);
        String ip = client().services().inNamespace(ns).withName("web").get().getSpec().getClusterIP();
        Repository repo = encryptedRepository();
        BackupManifest manifest = backup(repo, "--k8s-namespace", ns, "--k8s-kinds", "svc");

        assertThat(restore(repo, manifest, true, "--k8s-namespace", ns)).containsExactly(
                "0 objects created, 1 replaced, 0 kept");
        assertThat(client().services().inNamespace(ns).withName("web").get().getSpec().getClusterIP()).isEqualTo(ip);
    }

    @Test
    void selectorAndKindsChooseWhatIsBackedUpAndRestored() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 1);
        Repository repo = encryptedRepository();
        BackupManifest manifest = backup(repo, "--k8s-namespace", ns, "--k8s-selector", "app=shop",
                "--k8s-kinds", "cm,secrets,deploy");

        NamespaceDetails details = manifest.section(KubernetesObjectsSource.ID).orElseThrow()
                .details(NamespaceDetails.class);
        assertThat(details.selector()).isEqualTo("app=shop");
        assertThat(details.objects()).extracting(NamespaceDetails.StoredObject::ref)
                .containsExactly("configmap/app-config", "secret/db-credentials", "deployment/web");

        String target = server.namespace("shop-copy");
        assertThat(restore(repo, manifest, false, "--k8s-namespace", ns, "--to-namespace", target,
                "--k8s-kinds", "configmap")).containsExactly("into namespace '" + target
                        + "': 1 objects created, 0 replaced, 0 kept, 2 left out by --k8s-kinds");
        assertThat(client().secrets().inNamespace(target).withName("db-credentials").get()).isNull();
        assertThat(client().configMaps().inNamespace(target).withName("app-config").get()).isNotNull();

        assertThat(restore(repo, manifest, false, "--k8s-namespace", "elsewhere")).containsExactly(
                "not restored (--k8s-namespace names elsewhere)");
    }

    @Test
    void serviceAccountTokensAndHelmReleasesAreStoredOnlyWhenAskedFor() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 1);
        Repository repo = encryptedRepository();

        BackupManifest manifest = backup(repo, "--k8s-namespace", ns, "--k8s-kinds", "secret",
                "--k8s-include-service-account-tokens", "--k8s-include-helm-releases");

        NamespaceDetails details = manifest.section(KubernetesObjectsSource.ID).orElseThrow()
                .details(NamespaceDetails.class);
        assertThat(details.serviceAccountTokens()).isTrue();
        assertThat(details.helmReleases()).isTrue();
        assertThat(details.objects()).extracting(NamespaceDetails.StoredObject::ref).containsExactlyInAnyOrder(
                "secret/db-credentials", "secret/default-token", "secret/sh.helm.release.v1.shop.v1");
    }

    @Test
    void secretsAreRefusedInAnUnencryptedBackupBeforeAnythingIsWritten() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 1);
        Repository repo = plainRepository();

        assertThatThrownBy(() -> backup(repo, "--k8s-namespace", ns))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.KEY);
                    assertThat(e.getMessage()).isEqualTo("secrets of namespace '" + ns
                            + "' would be stored unencrypted: this backup has no encryption key");
                    assertThat(e.hint()).contains("--allow-plaintext-secrets").contains("--encrypt-to");
                });
        try (var files = Files.walk(dir.resolve("repo"))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .containsExactly("arca.json");
        }

        BackupManifest configOnly = backup(repo, "--k8s-namespace", ns, "--k8s-kinds", "configmap");
        assertThat(configOnly.artifacts()).hasSize(1);
        BackupManifest allowed = backup(repo, "--k8s-namespace", ns, "--allow-plaintext-secrets");
        assertThat(plainText(repo, allowed)).contains("name: \"db-credentials\"");
    }

    @Test
    void aFlippedByteFailsTheRestoreBeforeAnythingIsApplied() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 1);
        Repository repo = encryptedRepository();
        BackupManifest manifest = backup(repo, "--k8s-namespace", ns, "--k8s-kinds", ALL_KINDS);
        Path stored = storedArtifact(manifest);
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(stored, bytes);
        String target = server.namespace("shop-copy");

        assertThatThrownBy(() -> restore(repo, manifest, false, "--k8s-namespace", ns, "--to-namespace", target))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                    assertThat(e.getMessage()).contains(stored.getFileName().toString());
                });
        assertThat(client().configMaps().inNamespace(target).withName("app-config").get()).isNull();
        assertThat(client().secrets().inNamespace(target).list().getItems()).extracting(s -> s.getMetadata().getName())
                .doesNotContain("db-credentials");
        assertThat(client().apps().deployments().inNamespace(target).list().getItems()).isEmpty();
        Section section = manifest.section(KubernetesObjectsSource.ID).orElseThrow();
        assertThat(source.verify(new VerifyContext(repo, manifest, Progress.NONE), section)).singleElement()
                .asString().contains(stored.getFileName().toString());
    }

    @Test
    void anArtifactThatDoesNotHoldTheListedObjectsFailsVerifyAndRestore() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 1);
        Repository repo = encryptedRepository();
        BackupManifest taken = backup(repo, "--k8s-namespace", ns);
        // a manifest that lists one object fewer than the (intact) artifact holds
        Path manifestFile;
        try (var files = Files.walk(dir.resolve("repo"))) {
            manifestFile = files.filter(p -> p.getFileName().toString().equals("manifest.json")).findFirst().orElseThrow();
        }
        String json = Files.readString(manifestFile);
        String edited = json.replaceFirst("\\{\\s*\"apiVersion\" : \"v1\",\\s*\"kind\" : \"ConfigMap\",\\s*\"name\" : \"other\"\\s*},\\s*", "");
        assertThat(edited).isNotEqualTo(json);
        Files.writeString(manifestFile, edited);
        BackupManifest manifest = repo.resolve(taken.backupId());
        Section section = manifest.section(KubernetesObjectsSource.ID).orElseThrow();

        assertThat(source.verify(new VerifyContext(repo, manifest, Progress.NONE), section)).contains(
                "artifact 'k8s-" + ns + ".yaml' holds configmap/other where the manifest lists secret/db-credentials "
                        + "(keys password, username)");
        String target = server.namespace("shop-copy");
        assertThatThrownBy(() -> restore(repo, manifest, false, "--k8s-namespace", ns, "--to-namespace", target))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));
        assertThat(client().configMaps().inNamespace(target).withName("app-config").get()).isNull();
    }

    @Test
    void anApiThatCannotBeReachedIsNamedInTheError() throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("unreachable.yaml"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: gone
                  cluster:
                    server: https://127.0.0.1:1
                users:
                - name: gone
                  user:
                    token: t
                contexts:
                - name: gone
                  context:
                    cluster: gone
                    user: gone
                current-context: gone
                """);
        String previous = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            Repository repo = encryptedRepository();
            long started = System.nanoTime();
            assertThatThrownBy(() -> backup(repo, "--k8s-namespace", "shop")).isInstanceOfSatisfying(ArcaException.class,
                    e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
                        assertThat(e.getMessage()).startsWith("cannot reach the kubernetes api at 'https://127.0.0.1:1/'"
                                + " (context 'gone') to list configmaps in namespace 'shop': ");
                        assertThat(e.hint()).contains("--k8s-context");
                    });
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(20));
        } finally {
            System.setProperty("kubeconfig", previous);
        }
    }

    private static String plainText(Repository repo, BackupManifest manifest) throws IOException {
        try (InputStream in = repo.openArtifact(manifest, manifest.artifacts().get(0))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

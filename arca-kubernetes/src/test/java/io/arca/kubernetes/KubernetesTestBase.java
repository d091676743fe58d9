package io.arca.kubernetes;

import io.arca.core.Progress;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.source.BackupContext;
import io.arca.core.source.BackupPart;
import io.arca.core.source.Hook;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.core.source.SourceOption;
import io.arca.core.source.SourceOptions;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.testkit.k8s.KubernetesTestServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the source the way the command line does, against {@link KubernetesTestServer} (the mock, or
 * the real cluster of {@code ARCA_TEST_KUBECONFIG}), reached through a kubeconfig file named by the
 * {@code kubeconfig} system property, which the Kubernetes client reads as it reads {@code KUBECONFIG}.
 */
abstract class KubernetesTestBase {
    static final char[] PASSPHRASE = "kubernetes test passphrase".toCharArray();

    static KubernetesTestServer server;
    final KubernetesObjectsSource source = new KubernetesObjectsSource();

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() {
        server = KubernetesTestServer.start();
        System.setProperty("kubeconfig", server.kubeconfig().toString());
    }

    @AfterAll
    static void stopServer() {
        System.clearProperty("kubeconfig");
        if (server != null) {
            server.close();
        }
    }

    static KubernetesClient client() {
        return server.client();
    }

    /** A repository without encryption. */
    Repository plainRepository() {
        return Repository.init(new LocalFileStorage(dir.resolve("repo")), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
    }

    /** A repository whose backups are encrypted to a passphrase. */
    Repository encryptedRepository() {
        EncryptionKeys keys = EncryptionKeys.of(List.of(), PASSPHRASE);
        return Repository.init(new LocalFileStorage(dir.resolve("repo")), new RepositoryConfig.Defaults("zstd:3"), keys,
                Clock.systemUTC()).withKeys(keys, DecryptionKeys.of(List.of(), null, PASSPHRASE));
    }

    /** One backup holding what the source writes for {@code args}, committed as the command line does. */
    BackupManifest backup(Repository repository, String... args) throws IOException {
        Repository.PendingBackup pending = repository.begin();
        boolean committed = false;
        try {
            List<BackupPart> parts = source.backup(new BackupContext(repository, pending, repository.defaultCodec(),
                    Progress.NONE), backupOptions(args));
            BackupManifest.Builder builder = BackupManifest.builder();
            parts.forEach(builder::part);
            BackupManifest manifest = pending.commit(builder);
            committed = true;
            return manifest;
        } finally {
            if (!committed) {
                pending.discard();
            }
        }
    }

    /** Restores every section of the source, as the command line does; one line per section. */
    List<String> restore(Repository repository, BackupManifest manifest, boolean clean, String... args)
            throws IOException {
        SourceOptions options = restoreOptions(args);
        source.checkRestore(options);
        List<String> lines = new ArrayList<>();
        for (Section section : manifest.sections()) {
            if (section.isSource(KubernetesObjectsSource.ID)) {
                lines.add(source.restore(new RestoreContext(repository, manifest, clean, Progress.NONE), section, options));
            }
        }
        return lines;
    }

    /** Runs {@code work} between the hooks as the command line does: before in order, after in reverse, always. */
    static void withHooks(List<Hook> hooks, Work work) throws Exception {
        List<Hook> started = new ArrayList<>();
        boolean succeeded = false;
        try {
            for (Hook h : hooks) {
                h.before(Progress.NONE);
                started.add(h);
            }
            work.run();
            succeeded = true;
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).after(succeeded, Progress.NONE);
            }
        }
    }

    interface Work {
        void run() throws Exception;
    }

    SourceOptions backupOptions(String... args) {
        return options(source.backupOptions(), args);
    }

    SourceOptions restoreOptions(String... args) {
        return options(source.restoreOptions(), args);
    }

    /** Parses {@code --flag} and {@code --option value} as the command line would. */
    static SourceOptions options(List<SourceOption> known, String... args) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            SourceOption option = known.stream().filter(o -> o.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no option " + name));
            List<String> list = values.computeIfAbsent(name, n -> new ArrayList<>());
            if (!option.isFlag()) {
                list.add(args[++i]);
            }
        }
        return new SourceOptions(values, Map.of());
    }

    /** The stored file of the backup's only artifact. */
    Path storedArtifact(BackupManifest manifest) throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("repo"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("k8s-"))
                    .filter(p -> p.toString().contains(manifest.backupId())).findFirst().orElseThrow();
        }
    }
}

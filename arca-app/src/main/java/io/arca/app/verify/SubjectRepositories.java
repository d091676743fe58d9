package io.arca.app.verify;

import io.arca.app.config.ArcaConfig;
import io.arca.app.job.Subject;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.KeyMaterial;
import io.arca.core.error.UsageException;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The repositories of a configured subject, opened for reading with the keys {@code arca.yaml}
 * names for each (to decrypt when verifying and drilling); closing closes their stores. Takes no
 * lease: verify and drill only read backups.
 */
public final class SubjectRepositories implements AutoCloseable {
    private final List<Storage> storages;
    private final List<Repository> repositories;
    private final List<String> names;

    private SubjectRepositories(List<Storage> storages, List<Repository> repositories, List<String> names) {
        this.storages = storages;
        this.repositories = repositories;
        this.names = names;
    }

    /**
     * Opens each repository of {@code subject}, in the order it names them (the first is primary).
     *
     * @throws UsageException when the subject names none, or one that the configuration does not define
     */
    public static SubjectRepositories open(Subject subject, Clock clock) {
        List<String> names = subject.entry().repositories() == null ? List.of() : subject.entry().repositories();
        if (names.isEmpty()) {
            throw new UsageException("subject '" + subject.name() + "' names no repository",
                    "add 'repositories: [NAME]' to the subject in arca.yaml", null);
        }
        List<Storage> storages = new ArrayList<>();
        List<Repository> repositories = new ArrayList<>();
        try {
            for (String name : names) {
                ArcaConfig.RepositoryEntry entry = subject.config().repositories() == null ? null
                        : subject.config().repositories().get(name);
                if (entry == null || entry.url() == null) {
                    throw new UsageException("subject '" + subject.name() + "' names repository '" + name
                            + "', which arca.yaml does not define", "add it under 'repositories:' with its url", null);
                }
                Storage storage = Storages.open(StorageUrl.parse(entry.url()));
                storages.add(storage);
                repositories.add(Repository.open(storage, clock).withKeys(null,
                        decryption(entry, subject.environment())));
            }
        } catch (RuntimeException e) {
            storages.forEach(Storage::close);
            throw e;
        }
        return new SubjectRepositories(storages, repositories, List.copyOf(names));
    }

    /** The repositories, primary first. */
    public List<Repository> repositories() {
        return List.copyOf(repositories);
    }

    /** Their names in {@code arca.yaml}, in the same order. */
    public List<String> names() {
        return names;
    }

    /** The keys that decrypt a repository's backups: its private key and/or passphrase; null when none is named. */
    static DecryptionKeys decryption(ArcaConfig.RepositoryEntry entry, Map<String, String> env) {
        List<org.bouncycastle.openpgp.api.OpenPGPKey> keys = new ArrayList<>();
        if (entry.privateKeyFile() != null) {
            keys.addAll(KeyMaterial.privateKeys(KeyMaterial.readFile(Path.of(entry.privateKeyFile())),
                    entry.privateKeyFile()));
        }
        char[] keyPassphrase = fromEnv(entry.privateKeyPassphraseEnv(), env);
        char[] passphrase = null;
        if (entry.passphraseFile() != null) {
            byte[] data = KeyMaterial.readFile(Path.of(entry.passphraseFile()));
            try {
                passphrase = KeyMaterial.passphrase(data, entry.passphraseFile());
            } finally {
                Arrays.fill(data, (byte) 0);
            }
        } else {
            passphrase = fromEnv(entry.passphraseEnv(), env);
        }
        if (keys.isEmpty() && passphrase == null) {
            return null;
        }
        return DecryptionKeys.of(keys, keys.isEmpty() ? null : keyPassphrase, passphrase);
    }

    private static char[] fromEnv(String name, Map<String, String> env) {
        if (name == null) {
            return null;
        }
        String value = env.get(name);
        return value == null || value.isEmpty() ? null
                : KeyMaterial.passphrase(value.getBytes(StandardCharsets.UTF_8), name);
    }

    @Override
    public void close() {
        storages.forEach(Storage::close);
    }
}

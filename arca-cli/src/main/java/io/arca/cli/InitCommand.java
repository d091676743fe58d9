package io.arca.cli;

import io.arca.app.repo.OpenRepository;

import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.retention.RetentionSettings;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.core.storage.local.LocalRepositoryAccess;
import java.io.IOException;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code arca init}: creates a repository. */
@Command(name = "init", mixinStandardHelpOptions = true, description = {"Create a repository (several with --repo repeated).",
        "Retention flags save the repository's policy for 'arca prune'.",
        "An existing repository is never changed: alone it is an error; among several it is reported and left as it is.",
        "With --encrypt-to and/or --passphrase-file the repository requires every backup to be encrypted (OpenPGP,"
                + " AES-256) to exactly those keys; arca.json records their fingerprints, never a key."})
final class InitCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;

    @Option(names = "--compression", paramLabel = "CODEC[:LEVEL]", defaultValue = "zstd:3",
            description = "Default compression of backups: zstd, gzip, lz4 or none, with an optional level (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--owner", paramLabel = "USER",
            description = "Local repositories: make USER own the repository (and USER's group of the same name),"
                    + " e.g. postgres, whose archive_command runs wal-push; the repository is private to its owner"
                    + " (folders 0700, files 0600, or the URL's ?mode=). Needs root.")
    String owner;

    @Mixin
    RetentionOptions retention;
    @Mixin
    PublicKeyOptions publicKeys;
    @Mixin
    PassphraseOptions passphrase;

    @Override
    public Integer call() throws IOException {
        CodecSpec.parse(compression);
        Map<String, String> policy = retention.settings();
        RetentionSettings.toPolicy(policy); // refuse bad values before creating anything
        EncryptionKeys keys = Keys.encryption(publicKeys, passphrase);
        List<StorageUrl> urls = repository.urls();
        UserPrincipal ownerUser = null;
        if (owner != null) {
            for (StorageUrl url : urls) {
                if (!url.scheme().equals("file")) {
                    throw new UsageException("--owner is for local repositories, not '" + url + "'",
                            "set the access of cloud storage with its own permissions (IAM, ACLs)", null);
                }
            }
            ownerUser = LocalRepositoryAccess.user(owner);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (StorageUrl url : urls) {
            try (Storage storage = Storages.open(url)) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("repository", storage.url().toString());
                Repository repo;
                boolean created = true;
                try {
                    if (url.scheme().equals("file")) {
                        LocalRepositoryAccess.prepareRoot(url);
                    }
                    repo = Repository.init(storage, new RepositoryConfig.Defaults(compression,
                            policy.isEmpty() ? null : policy), keys, Clock.systemUTC());
                } catch (ArcaException e) {
                    // with several repositories, rerunning after one failed must not stop at those already made
                    if (e.code() != ErrorCode.REPOSITORY_EXISTS || urls.size() == 1) {
                        throw e;
                    }
                    repo = Repository.open(storage, Clock.systemUTC());
                    created = false;
                }
                if (created) {
                    // room for the lease of a prune on a full repository
                    OpenRepository.leases(storage).ensureReserve();
                    if (ownerUser != null) {
                        LocalRepositoryAccess.chown(url.filePath().toAbsolutePath().normalize(), ownerUser);
                        r.put("owner", owner);
                    }
                }
                r.put("repositoryId", repo.config().repositoryId());
                r.put("formatVersion", repo.config().formatVersion());
                r.put("created", created);
                r.put("encryption", repo.config().encryption());
                results.add(r);
                if (!output.json()) {
                    root.out.println((created ? "initialized repository " : "left existing repository ")
                            + repo.config().repositoryId() + " at " + storage.url() + (created ? "" : " as it is"));
                    printEncryption(repo.config().encryption());
                    root.out.flush();
                }
            }
        }
        if (output.json()) {
            Text.json(root.out, results.size() == 1 ? results.get(0) : results);
        }
        return 0;
    }

    private void printEncryption(RepositoryConfig.Encryption e) {
        if (e == null) {
            return;
        }
        for (RepositoryConfig.Recipient r : e.recipients()) {
            root.out.println("  backups are encrypted to " + r.fingerprint() + (r.userId().isEmpty() ? "" : " (" + r.userId() + ")"));
        }
        if (e.passphrase()) {
            root.out.println("  backups are encrypted with the repository passphrase");
        }
    }
}

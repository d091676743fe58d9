package io.arca.qdrant;

import io.arca.core.Progress;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.source.BackupContext;
import io.arca.core.source.BackupPart;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.core.source.SourceOptions;
import io.arca.core.storage.Storage;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Setup for the Qdrant source's tests: repositories, option values, backups and restores through the source. */
final class QdrantTesting {
    static final char[] PASSPHRASE = "qdrant test passphrase".toCharArray();
    static final QdrantSource SOURCE = new QdrantSource();

    private QdrantTesting() {
    }

    /** A repository in {@code dir}, encrypted with {@link #PASSPHRASE} or not, compressing with zstd. */
    static Repository repository(Path dir, boolean encrypted) {
        return repository(new LocalFileStorage(dir), encrypted);
    }

    static Repository repository(Storage storage, boolean encrypted) {
        Repository repo = Repository.init(storage, new RepositoryConfig.Defaults("zstd:3"),
                encrypted ? EncryptionKeys.of(List.of(), PASSPHRASE.clone()) : null, Clock.systemUTC());
        return encrypted ? repo.withKeys(EncryptionKeys.of(List.of(), PASSPHRASE.clone()),
                DecryptionKeys.of(List.of(), null, PASSPHRASE.clone())) : repo;
    }

    /** Option values: {@code "--qdrant", url, "--qdrant-all", "--qdrant-collection", "a"}; a name followed by another name is a flag. */
    static SourceOptions options(Map<String, String> env, String... args) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            List<String> v = values.computeIfAbsent(args[i], k -> new ArrayList<>());
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                v.add(args[++i]);
            }
        }
        return new SourceOptions(values, env);
    }

    static SourceOptions options(String... args) {
        return options(Map.of(), args);
    }

    /** A backup holding what the source takes with these options; the backup is discarded when it fails. */
    static BackupManifest backup(Repository repo, SourceOptions options) throws IOException {
        Repository.PendingBackup pending = repo.begin();
        boolean committed = false;
        try {
            List<BackupPart> parts = SOURCE.backup(new BackupContext(repo, pending, CodecSpec.parse("zstd:3"),
                    Progress.NONE), options);
            BackupManifest.Builder content = BackupManifest.builder();
            parts.forEach(content::part);
            BackupManifest manifest = pending.commit(content);
            committed = true;
            return manifest;
        } finally {
            if (!committed) {
                pending.discard();
            }
        }
    }

    /** Restores every Qdrant section of the backup, as {@code arca restore} does; returns the lines. */
    static List<String> restore(Repository repo, BackupManifest manifest, boolean clean, SourceOptions options)
            throws IOException {
        SOURCE.checkRestore(options);
        List<String> lines = new ArrayList<>();
        for (Section s : manifest.sections()) {
            if (s.isSource(QdrantSource.ID)) {
                lines.add(SOURCE.restore(new RestoreContext(repo, manifest, clean, Progress.NONE), s, options));
            }
        }
        return lines;
    }
}

package io.arca.files;

import io.arca.core.Progress;
import io.arca.core.crypto.TestKeys;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.source.BackupContext;
import io.arca.core.source.BackupPart;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.core.source.SourceOptions;
import io.arca.core.source.VerifyContext;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real local repository and the files source driven as the command line drives it. */
final class FilesRepo {
    final Path root;
    final Repository repository;
    final List<String> notes = new ArrayList<>();
    final Progress progress = new Progress() {
        @Override
        public void bytes(String phase, long done, long total) {
        }

        @Override
        public synchronized void note(String message) {
            notes.add(message);
        }
    };

    private FilesRepo(Path root, Repository repository) {
        this.root = root;
        this.repository = repository;
    }

    static FilesRepo plain(Path root) {
        return new FilesRepo(root, Repository.init(new LocalFileStorage(root), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC()));
    }

    /** Encrypted to Bob's test key (no passphrase), with his private key to read it back. */
    static FilesRepo encrypted(Path root) {
        Repository r = Repository.init(new LocalFileStorage(root), new RepositoryConfig.Defaults("zstd:3"),
                TestKeys.to(TestKeys.bob()), Clock.systemUTC());
        return new FilesRepo(root, r.withKeys(TestKeys.to(TestKeys.bob()), TestKeys.with(TestKeys.bob(), null)));
    }

    static SourceOptions options(String name, String... values) {
        return new SourceOptions(Map.of(name, List.of(values)), Map.of());
    }

    /** One backup of the files source with these options, committed. */
    BackupManifest backup(FilesSource source, SourceOptions options) throws IOException {
        Repository.PendingBackup pending = repository.begin();
        source.checkBackup(options);
        List<BackupPart> parts = source.backup(new BackupContext(repository, pending, repository.defaultCodec(), progress),
                options);
        BackupManifest.Builder content = BackupManifest.builder();
        parts.forEach(content::part);
        return pending.commit(content);
    }

    BackupManifest backup(String... paths) throws IOException {
        return backup(new FilesSource(), options(FilesSource.FILES, paths));
    }

    /**
     * Restores every files section, as {@code arca restore ID --files-to dir [--clean]} does: every
     * target checked first, then each section restored.
     */
    List<String> restore(BackupManifest manifest, Path dir, boolean clean) throws IOException {
        FilesSource source = new FilesSource();
        SourceOptions options = options(FilesSource.FILES_TO, dir.toString());
        source.checkRestore(options);
        RestoreContext context = new RestoreContext(repository, manifest, clean, progress);
        source.checkTargets(context, manifest.sections().stream().filter(s -> s.isSource(FilesSource.ID)).toList(),
                options);
        List<String> lines = new ArrayList<>();
        for (Section s : manifest.sections()) {
            if (s.isSource(FilesSource.ID)) {
                lines.add(source.restore(new RestoreContext(repository, manifest, clean, progress), s, options));
            }
        }
        return lines;
    }

    List<String> verify(BackupManifest manifest) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Section s : manifest.sections()) {
            problems.addAll(new FilesSource().verify(new VerifyContext(repository, manifest, progress), s));
        }
        return problems;
    }

    /** The manifest as the repository has it now (after a test changed it on disk). */
    BackupManifest reread(BackupManifest manifest) {
        return repository.resolve(manifest.backupId());
    }
}

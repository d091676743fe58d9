package io.arca.cli;

import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code arca wal-push %p}: PostgreSQL's archive_command. */
@Command(name = "wal-push", mixinStandardHelpOptions = true,
        description = {"Archive a WAL file into the repository: archive_command = 'arca wal-push %%p --repo URL'.",
                "The file is compressed (see --compression), encrypted when keys are given, and stored under the"
                        + " cluster's system identifier with the SHA-256 of its content in its name. A file already"
                        + " archived with the same content is accepted; with other content it is refused.",
                "Starting a JVM per segment is slow, so each call also archives the other segments PostgreSQL has"
                        + " marked ready (archive_status/*.ready), --parallel at a time, and marks them done.",
                "Exit codes stay below 126, as PostgreSQL requires of archive_command."})
final class WalPushCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    WalOptions wal;
    @Mixin
    WalCompressionOptions compression;
    @Mixin
    PublicKeyOptions publicKeys;
    @Mixin
    PassphraseOptions passphrase;

    @Parameters(paramLabel = "PATH", description = "The WAL file, as PostgreSQL passes it (%%p: pg_wal/<name>).")
    Path path;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "4",
            description = "Ready segments archived at once beside the one asked for (default: ${DEFAULT-VALUE}; 0: none).")
    int parallel;

    @Override
    public Integer call() throws Exception {
        Path file = wal.resolve(path);
        WalFileName name = WalFileName.parse(file.getFileName().toString(), WalOptions.SEGMENT_SIZE);
        long systemId = wal.systemId();
        EncryptionKeys keys = Keys.encryption(publicKeys, passphrase);
        try (Storage storage = repository.openStorage()) {
            Repository repo = repository.open(storage);
            repo.requireEncryption(keys);
            WalArchive archive = new WalArchive(repo.withKeys(keys, null), compression.codec(repo));
            archive.push(systemId, name, file);
            if (parallel > 0 && name.kind() == WalFileName.Kind.SEGMENT) {
                pushReady(archive, systemId, file, name);
            }
        }
        return 0;
    }

    /**
     * Archives the other segments marked ready, oldest first, and marks each done the way the
     * archiver does (renaming its {@code .ready} file to {@code .done}), so that PostgreSQL does not
     * start Arca again for them. A failure leaves that segment ready: the archiver retries it.
     */
    private void pushReady(WalArchive archive, long systemId, Path file, WalFileName pushed) {
        Path status = file.resolveSibling("archive_status");
        List<Path> ready;
        try (Stream<Path> s = Files.list(status)) {
            ready = s.filter(p -> p.getFileName().toString().endsWith(".ready"))
                    .filter(p -> !p.getFileName().toString().equals(pushed.name() + ".ready"))
                    .sorted().toList();
        } catch (IOException e) {
            return;
        }
        List<Path> segments = new ArrayList<>();
        for (Path r : ready) {
            String n = r.getFileName().toString();
            String walName = n.substring(0, n.length() - ".ready".length());
            try {
                if (WalFileName.parse(walName, WalOptions.SEGMENT_SIZE).kind() == WalFileName.Kind.SEGMENT) {
                    segments.add(r);
                }
            } catch (IllegalArgumentException notWal) {
                // not ours to archive here
            }
        }
        List<Callable<?>> pushes = new ArrayList<>();
        for (Path r : segments) {
            String n = r.getFileName().toString();
            String walName = n.substring(0, n.length() - ".ready".length());
            pushes.add(() -> {
                Path segment = file.resolveSibling(walName);
                if (Files.exists(segment)) {
                    archive.push(systemId, WalFileName.parse(walName, WalOptions.SEGMENT_SIZE), segment);
                    Files.move(r, r.resolveSibling(walName + ".done"));
                }
                return null;
            });
        }
        WalOptions.inParallel(parallel, pushes, e -> {
            if (root.debug()) {
                Main.report(e, true, root.err);
            }
        });
    }
}

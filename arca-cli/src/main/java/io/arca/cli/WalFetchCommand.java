package io.arca.cli;

import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.core.wal.WalArchive;
import io.arca.core.wal.WalFileName;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code arca wal-fetch %f %p}: PostgreSQL's restore_command. */
@Command(name = "wal-fetch", mixinStandardHelpOptions = true,
        description = {"Restore a WAL file from the repository: restore_command = 'arca wal-fetch %%f %%p --repo URL'.",
                "Checks the SHA-256 its name records and, for segments, that it belongs to this cluster, then moves it"
                        + " into place. Exits 1 when the archive does not hold the file (PostgreSQL then ends recovery"
                        + " or tries streaming); exit codes stay below 126."})
final class WalFetchCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    WalOptions wal;
    @Mixin
    PrivateKeyOptions privateKeys;
    @Mixin
    PassphraseOptions passphrase;

    @Parameters(index = "0", paramLabel = "NAME", description = "The WAL file PostgreSQL wants (%%f).")
    String name;

    @Parameters(index = "1", paramLabel = "PATH", description = "Where to write it (%%p, relative to the data directory).")
    Path path;

    @Override
    public Integer call() {
        WalFileName wanted = WalFileName.parse(name, WalOptions.SEGMENT_SIZE);
        Path target = path.isAbsolute() ? path : wal.dataDirectory().resolve(path);
        long systemId = wal.systemId();
        DecryptionKeys keys = Keys.decryption(privateKeys, passphrase);
        try (Storage storage = repository.openStorage()) {
            Repository repo = repository.open(storage).withKeys(null, keys);
            if (!new WalArchive(repo, repo.defaultCodec()).fetch(systemId, wanted, target)) {
                // quietly: PostgreSQL asks for files past the end of the archive as a matter of course
                return 1;
            }
        }
        return 0;
    }
}

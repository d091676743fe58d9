package io.arca.cli;

import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.repo.Repository;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.storage.Storage;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import io.arca.postgres.wal.WalPrefetcher;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code arca wal-fetch %f %p}: PostgreSQL's restore_command. */
@Command(name = "wal-fetch", mixinStandardHelpOptions = true,
        description = {"Restore a WAL file from the repository: restore_command = 'arca wal-fetch %%f %%p --repo URL'.",
                "Checks the SHA-256 its name records and, for segments, that it belongs to this cluster, then moves it"
                        + " into place. Exits 1 when the archive does not hold the file (PostgreSQL then ends recovery"
                        + " or tries streaming); exit codes stay below 126.",
                "Starting a JVM per segment is slow, so a call that had to fetch its segment also starts a prefetcher"
                        + " in the background, which keeps the next --prefetch segments (checked the same way) in --spool"
                        + " while recovery replays; the calls for them then only move a file. It stops at the end of the"
                        + " archive, when recovery ends, or after --prefetch-idle without a segment used."})
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

    @Option(names = "--prefetch", paramLabel = "N", defaultValue = "8",
            description = "Segments to keep fetched ahead in --spool (default: ${DEFAULT-VALUE}; 0: none).")
    int prefetch;

    @Option(names = "--prefetch-idle", paramLabel = "DURATION", defaultValue = "2m",
            description = "How long the background prefetcher waits for recovery to use a segment before it stops"
                    + " (default: ${DEFAULT-VALUE}).")
    String prefetchIdle;

    /** Set on the background prefetcher that a call starts (the same command line plus this). */
    @Option(names = "--prefetch-worker", hidden = true)
    boolean worker;

    @Option(names = "--spool", paramLabel = "DIR",
            description = "Where prefetched segments wait, private to this user (default: " + WalArchive.DEFAULT_SPOOL
                    + " in the data directory).")
    Path spool;

    /** The prefetcher's output, in the spool. */
    static final String WORKER_LOG = "prefetch.log";
    /** How long a call waits for a segment the prefetcher is fetching. */
    private static final Duration PREFETCH_WAIT = Duration.ofSeconds(60);

    @Override
    public Integer call() throws IOException {
        WalFileName wanted = WalFileName.parse(name, WalOptions.SEGMENT_SIZE);
        Path target = wal.resolve(path);
        long systemId = wal.systemId();
        Path spoolDir = prefetch > 0 && wanted.kind() == WalFileName.Kind.SEGMENT ? spool(systemId) : null;
        if (worker) {
            return prefetchInBackground(systemId, wanted, spoolDir);
        }
        if (spoolDir != null && (Files.exists(spoolDir.resolve(wanted.name())) || awaitPrefetcher(spoolDir, wanted))) {
            // fetched and checked by the prefetcher: only the move is left
            moveIntoPlace(spoolDir.resolve(wanted.name()), target);
            forgetOlder(spoolDir, wanted);
            return 0;
        }
        DecryptionKeys keys = Keys.decryption(privateKeys, passphrase);
        try (Storage storage = repository.openStorage()) {
            WalArchive archive = archive(storage, keys);
            if (!archive.fetch(systemId, wanted, target)) {
                if (wanted.kind() == WalFileName.Kind.SEGMENT && fetchPartial(archive, systemId, wanted, target)) {
                    return 0;
                }
                // quietly: PostgreSQL asks for files past the end of the archive as a matter of course
                return 1;
            }
            if (spoolDir != null) {
                forgetOlder(spoolDir, wanted);
                // only when the archive holds the next segment: a standby that follows the archive's tip
                // would otherwise start a prefetcher for every new segment, to find nothing
                if (archive.find(systemId, wanted.next(WalOptions.SEGMENT_SIZE)).isPresent()) {
                    startPrefetcher(spoolDir);
                }
            }
        }
        return 0;
    }

    /** The repository's WAL archive, read with {@code keys}. */
    private WalArchive archive(Storage storage, DecryptionKeys keys) {
        Repository repo = repository.open(storage).withKeys(null, keys);
        return new WalArchive(repo, repo.defaultCodec());
    }

    /** The background prefetcher: keeps the segments after {@code wanted} in the spool (see {@link WalPrefetcher}). */
    private int prefetchInBackground(long systemId, WalFileName wanted, Path spoolDir) {
        if (spoolDir == null) {
            return 0;
        }
        DecryptionKeys keys = Keys.decryption(privateKeys, passphrase);
        try (Storage storage = repository.openStorage()) {
            WalArchive archive = archive(storage, keys);
            int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
            new WalPrefetcher(archive, systemId, WalOptions.SEGMENT_SIZE, spoolDir, wal.dataDirectory(), prefetch, threads,
                    DurationText.parse(prefetchIdle), line -> root.err.println("arca wal-fetch: " + line))
                    .run(wanted.next(WalOptions.SEGMENT_SIZE));
        }
        root.err.flush();
        return 0;
    }

    /**
     * Starts the background prefetcher unless one runs: this JVM's options and class path, and this
     * command line with {@code --prefetch-worker}. It inherits the environment (credentials,
     * PGDATA) and writes its rare messages to {@value #WORKER_LOG} in the spool; it is in this
     * process's process group, so the server's signals at shutdown reach it too.
     */
    private void startPrefetcher(Path spoolDir) {
        if (WalPrefetcher.running(spoolDir)) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(root.args);
        command.add("--prefetch-worker");
        try {
            new ProcessBuilder(command).directory(wal.dataDirectory().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(spoolDir.resolve(WORKER_LOG).toFile()))
                    .start();
        } catch (IOException e) {
            // recovery goes on without prefetching: each call fetches its own segment
            root.err.println("arca wal-fetch: cannot start the WAL prefetcher: " + e.getMessage());
        }
    }

    /**
     * When the prefetcher is fetching {@code wanted}, waits until it is in the spool (true), or
     * until the prefetcher stops or gives up on it (false: the caller fetches it itself).
     */
    private boolean awaitPrefetcher(Path spoolDir, WalFileName wanted) {
        long deadline = System.nanoTime() + PREFETCH_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(spoolDir.resolve(wanted.name()))) {
                return true;
            }
            WalPrefetcher.State state = WalPrefetcher.state(spoolDir, WalOptions.SEGMENT_SIZE);
            if (state == null || !state.covers(wanted) || !WalPrefetcher.running(spoolDir)) {
                return Files.exists(spoolDir.resolve(wanted.name()));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * The newest WAL of a timeline may be archived only as {@code <segment>.partial} (streamed by
     * {@code backup --physical} or {@code wal-receive} up to a position inside the segment): it is
     * served under the segment's name when the whole segment is not archived, so recovery replays
     * what it holds and then ends. Said on stderr, which goes to the server log.
     */
    private boolean fetchPartial(WalArchive archive, long systemId, WalFileName wanted, Path target) {
        WalFileName partial = WalFileName.parse(wanted.name() + ".partial", WalOptions.SEGMENT_SIZE);
        if (!archive.fetch(systemId, partial, target)) {
            return false;
        }
        root.err.println("arca wal-fetch: " + wanted.name() + " is archived only in part (" + partial.name()
                + "); recovery will end where it ends");
        root.err.flush();
        return true;
    }

    /**
     * The spool directory, created private to this user; null (no prefetching) when it exists
     * with other owners or permissions, since files there are trusted without another check.
     */
    private Path spool(long systemId) {
        Path dir = spool != null ? wal.resolve(spool) : wal.dataDirectory().resolve(WalArchive.DEFAULT_SPOOL);
        try {
            if (!Files.exists(dir)) {
                try {
                    Files.createDirectories(dir.getParent());
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException raced) {
                    // another call made it: checked below
                }
            }
            boolean mine = Files.getOwner(dir).getName().equals(System.getProperty("user.name"))
                    && Files.getPosixFilePermissions(dir).equals(PosixFilePermissions.fromString("rwx------"));
            return mine ? dir : null;
        } catch (IOException e) {
            // not usable (another user's, not writable): fetch without prefetching
            return null;
        }
    }

    /** Moves a spooled file to PostgreSQL's path; across file systems through a copy beside the target. */
    private static void moveIntoPlace(Path from, Path target) throws IOException {
        try {
            Files.move(from, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException otherFileSystem) {
            Path partial = target.resolveSibling(target.getFileName() + ".arca-partial");
            Files.copy(from, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(from);
        }
    }

    /** Removes spooled segments before {@code wanted}: recovery has passed them. */
    private static void forgetOlder(Path spoolDir, WalFileName wanted) throws IOException {
        try (Stream<Path> files = Files.list(spoolDir)) {
            for (Path p : files.toList()) {
                if (p.getFileName().toString().compareTo(wanted.name()) < 0) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}

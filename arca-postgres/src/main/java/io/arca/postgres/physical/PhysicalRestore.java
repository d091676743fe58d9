package io.arca.postgres.physical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.Progress;
import io.arca.core.ReadAheadInputStream;
import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.ArtifactRecord;
import io.arca.postgres.manifest.BackupKind;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.local.LocalCluster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Restores a physical backup into a data directory and sets it up for point-in-time recovery.
 *
 * <ol>
 *   <li>{@link #choose} picks the newest physical backup that ended before the target (for a time
 *       or LSN target), or the newest one;
 *   <li>each target directory's parent must exist (a typo in {@code --pgdata} is refused, not
 *       created); the target directories must be empty, unless {@code --delta} (keep matching files) or
 *       {@code --force} (empty them first); a directory a running server uses is always refused;
 *   <li>each tar artifact streams from the repository through {@link DataDirectoryWriter}, which
 *       checks every file against the server's {@code backup_manifest} as it writes it;
 *   <li>{@link RecoveryConfig} writes {@code restore_command} (Arca's {@code wal-fetch}), the target
 *       and {@code recovery.signal};
 *   <li>with {@code start}, {@link RecoveryServer} starts the server and waits until recovery ends
 *       as {@code recovery_target_action} says.
 * </ol>
 */
public final class PhysicalRestore {
    private final Repository repository;
    private final Progress progress;

    public PhysicalRestore(Repository repository, Progress progress) {
        this.repository = repository;
        this.progress = progress;
    }

    /** What a restore did. */
    public record Result(BackupManifest backup, Path pgdata, Map<Long, Path> tablespaces, long filesWritten,
            long filesKept, long filesRemoved, long bytesWritten, String recovery, Duration duration) {
    }

    /**
     * The backup to restore: {@code ref} ({@code latest}, an id or a prefix) when given, else the
     * newest physical backup that ended before the target.
     */
    public BackupManifest choose(String ref, RecoveryTarget target) {
        if (ref != null && !ref.equals("latest")) {
            BackupManifest m = PostgresSection.resolve(repository, ref, BackupKind.PHYSICAL, null);
            if (!precedes(m, target)) {
                throw new ArcaException(ErrorCode.USAGE, "backup " + m.backupId() + " ended after the target "
                        + target.describe() + " (it ended at " + PostgresSection.physical(m).stopTime() + ", "
                        + PostgresSection.physical(m).stopLsn() + ")",
                        "pick an older backup, or leave out the id to choose the newest one before the target");
            }
            return m;
        }
        List<BackupManifest> physical = repository.list().stream()
                .filter(m -> PostgresSection.physical(m) != null).toList();
        if (physical.isEmpty()) {
            throw new ArcaException(ErrorCode.BACKUP_NOT_FOUND, "no physical backup in '" + repository.storage().url() + "'",
                    "take one with 'arca backup --physical --db URL'");
        }
        Set<String> systems = physical.stream().map(m -> PostgresSection.physical(m).systemIdentifier())
                .collect(Collectors.toSet());
        if (systems.size() > 1) {
            throw new ArcaException(ErrorCode.USAGE, "the repository holds physical backups of " + systems.size()
                    + " clusters (system identifiers " + String.join(", ", systems) + ")",
                    "name the backup to restore (arca list shows them)");
        }
        return physical.stream().filter(m -> precedes(m, target)).findFirst()
                .orElseThrow(() -> new ArcaException(ErrorCode.BACKUP_NOT_FOUND, "no physical backup ended before the"
                        + " target " + target.describe() + "; the oldest ended at "
                        + PostgresSection.physical(physical.get(physical.size() - 1)).stopTime(),
                        "choose a later target: recovery can only start from a backup that ended before it"));
    }

    private static boolean precedes(BackupManifest m, RecoveryTarget target) {
        PostgresSection.PhysicalInfo p = PostgresSection.physical(m);
        return switch (target.kind()) {
            case TIME -> p.stopTime().isBefore(target.time());
            case LSN -> Lsn.parse(p.stopLsn()).compareTo(target.lsn()) <= 0;
            default -> true;
        };
    }

    /** Restores {@code backup} as {@code options} say. */
    public Result run(BackupManifest backup, PhysicalRestoreOptions options) {
        long started = System.nanoTime();
        PostgresSection.PhysicalInfo info = PostgresSection.physical(backup);
        Path pgdata = options.pgdata().toAbsolutePath().normalize();
        Map<Long, Path> tablespaces = tablespaceLocations(info, options.tablespaceMap());
        requireParent(pgdata, "--pgdata");
        for (Path t : tablespaces.values()) {
            requireParent(t, "tablespace directory");
        }
        repository.requireReadable(backup);
        prepare(pgdata, options, "PGDATA");
        for (Path t : tablespaces.values()) {
            prepare(t, options, "tablespace directory");
        }
        if (info.manifestArtifact() == null) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "backup " + backup.backupId() + " holds no"
                    + " backup_manifest, so its files cannot be checked", "restore another backup");
        }
        ServerManifest manifest;
        try (InputStream in = repository.openArtifact(backup, PhysicalArtifacts.find(backup, info.manifestArtifact()))) {
            manifest = ServerManifest.parse(in);
        } catch (IOException e) {
            throw readError(backup, info.manifestArtifact(), e);
        }
        progress.note("restoring physical backup " + backup.backupId() + " (PostgreSQL "
                + PostgresSection.database(backup).serverVersion() + ", stopped at " + info.stopLsn() + ") into " + pgdata
                + (options.delta() ? " (delta)" : ""));
        DataDirectoryWriter writer = new DataDirectoryWriter(pgdata, tablespaces, manifest, options.delta());
        DataDirectoryWriter.Result written;
        try {
            write(backup, PhysicalArtifacts.find(backup, PhysicalArtifacts.BASE), "", writer);
            for (PostgresSection.TablespaceInfo t : info.tablespaces()) {
                write(backup, PhysicalArtifacts.find(backup, t.artifact()), "pg_tblspc/" + t.oid() + "/", writer);
            }
            written = writer.finish();
            if (!written.check().ok()) {
                List<String> p = written.check().problems();
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "the restored files do not match the backup's"
                        + " backup_manifest: " + p.get(0) + (p.size() > 1 ? " (and " + (p.size() - 1) + " more)" : ""),
                        "the data directory '" + pgdata + "' is damaged: do not start it; restore another backup. Problems:\n"
                                + String.join("\n", p.subList(0, Math.min(20, p.size()))));
            }
            progress.note("every file matches the server's backup_manifest; syncing to disk");
            writer.syncAll();
            RecoveryConfig.write(pgdata, backup.backupId(), options.restoreCommand(), options.target(),
                    options.targetTimeline(), options.targetAction(), options.archive(), repository.clock().instant());
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "restoring into '" + pgdata + "' failed: " + e.getMessage(),
                    "check free space and permissions of the target directories", e);
        }
        String recovery = "not started: start the server on " + pgdata + " to recover to " + options.target().describe();
        if (options.start()) {
            if (options.serverPrograms() == null) {
                throw new IllegalStateException("start needs the server programs");
            }
            RecoveryServer.Outcome outcome = RecoveryServer.startAndWait(options.serverPrograms().resolve("pg_ctl"),
                    pgdata, List.copyOf(tablespaces.values()), options.startOptions(), options.targetAction(),
                    options.startTimeout(), progress);
            recovery = outcome.state() + " after recovering to " + options.target().describe();
        }
        return new Result(backup, pgdata, tablespaces, written.filesWritten(), written.filesKept(),
                written.filesRemoved(), written.bytesWritten(), recovery,
                Duration.ofNanos(System.nanoTime() - started));
    }

    private void write(BackupManifest backup, ArtifactRecord artifact, String prefix, DataDirectoryWriter writer)
            throws IOException {
        // fetching, decrypting and decompressing on one core, checking and writing files on another
        try (InputStream in = new ReadAheadInputStream(repository.openArtifact(backup, artifact), 8, 1 << 20)) {
            writer.write(prefix, new ProgressInputStream(in, n -> progress.bytes("restore " + artifact.name(), n,
                    artifact.size())));
            // whatever follows the tar's end marker: the artifact's check against its manifest runs at its end
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private static ArcaException readError(BackupManifest backup, String name, IOException e) {
        return new ArcaException(ErrorCode.STORAGE_ACCESS, "reading '" + name + "' of backup " + backup.backupId()
                + " failed: " + e.getMessage(), "check that the repository is reachable", e);
    }

    /** Each tablespace's new directory: mapped by old location or OID, else where it was. */
    static Map<Long, Path> tablespaceLocations(PostgresSection.PhysicalInfo info, Map<String, Path> map) {
        Map<Long, Path> result = new LinkedHashMap<>();
        List<String> unused = new ArrayList<>(map.keySet());
        for (PostgresSection.TablespaceInfo t : info.tablespaces()) {
            Path to = map.get(t.location());
            unused.remove(t.location());
            if (to == null) {
                to = map.get(Long.toString(t.oid()));
                unused.remove(Long.toString(t.oid()));
            }
            result.put(t.oid(), (to != null ? to : Path.of(t.location())).toAbsolutePath().normalize());
        }
        if (!unused.isEmpty()) {
            throw new ArcaException(ErrorCode.USAGE, "--tablespace-map names no tablespace of the backup: "
                    + String.join(", ", unused), "the backup's tablespaces are: " + info.tablespaces().stream()
                    .map(t -> t.oid() + " at " + t.location()).collect(Collectors.joining(", ")));
        }
        return result;
    }

    /**
     * Refuses a target directory whose parent does not exist: a mistyped path must not become a
     * new tree of directories holding a restored cluster that nobody looks for.
     */
    static void requireParent(Path dir, String what) {
        Path parent = dir.getParent();
        if (!Files.exists(dir) && parent != null && !Files.isDirectory(parent)) {
            throw new UsageException(what + " '" + dir + "': its parent directory '" + parent + "' does not exist",
                    "check the path for a typo, or create '" + parent + "' first", null);
        }
    }

    /** Checks (and with --force empties, or creates) a target directory. */
    private static void prepare(Path dir, PhysicalRestoreOptions options, String what) {
        try {
            if (!Files.exists(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                return;
            }
            if (!Files.isDirectory(dir)) {
                throw new ArcaException(ErrorCode.USAGE, what + " '" + dir + "' is not a directory", "give a directory");
            }
            Optional<Long> pid = runningServer(dir);
            if (pid.isPresent()) {
                throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, "a PostgreSQL server (pid " + pid.get()
                        + ") is running on '" + dir + "'", "stop it first (pg_ctl -D " + dir + " stop)");
            }
            if (isEmpty(dir)) {
                return;
            }
            if (options.force()) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                    for (Path e : entries) {
                        TempFiles.deleteTree(e);
                    }
                }
                return;
            }
            if (!options.delta()) {
                throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, what + " '" + dir + "' is not empty",
                        "restore into an empty directory, or add --delta to reuse the files that match the backup"
                                + " (and remove the others), or --force to delete its contents first");
            }
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot prepare " + what + " '" + dir + "': " + e.getMessage(),
                    "check the path and its permissions", e);
        }
    }

    private static Optional<Long> runningServer(Path dir) {
        return LocalCluster.postmasterPid(dir).filter(LocalCluster::isProcessRunning);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }
}

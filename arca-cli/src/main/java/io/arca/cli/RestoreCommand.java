package io.arca.cli;

import io.arca.app.repo.OpenRepository;

import io.arca.postgres.manifest.BackupKind;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.error.UsageException;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.source.BackupSource;
import io.arca.core.source.Hook;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.postgres.logical.LogicalBackup;
import io.arca.core.repo.lease.Lease;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.logical.GlobalsRestore;
import io.arca.postgres.logical.LogicalRestore;
import io.arca.postgres.logical.LogicalRestoreOptions;
import io.arca.postgres.logical.ReplaceOptions;
import io.arca.postgres.logical.RestoreResult;
import io.arca.postgres.physical.PhysicalRestore;
import io.arca.postgres.physical.PhysicalRestoreOptions;
import io.arca.postgres.physical.RecoveryTarget;
import io.arca.core.repo.retention.DurationText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code arca restore}: a logical backup into a database, or with --physical a base backup into a data directory. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore a backup into a database (created when missing).",
                "With --physical, restore a physical backup into --pgdata for point-in-time recovery: 'latest' picks"
                        + " the newest backup that ended before the target; the files are checked against the server's"
                        + " backup_manifest while they are written; restore_command (arca wal-fetch), the target and"
                        + " recovery.signal are written; --start starts the server and waits until recovery reached"
                        + " the target. A non-empty PGDATA is refused without --delta or --force.",
                "A database that holds objects is refused unless --clean is given. With --clean the whole database is"
                        + " replaced: first every artifact is checked (stored size, SHA-256, keys) and a safety backup"
                        + " of the target is taken; then the backup is restored into a new database"
                        + " (<target>_arca_<hex>, with the target's owner, encoding, locale, settings and privileges)"
                        + " that replaces the target by renaming only once it is restored, and the old one is dropped."
                        + " Other sessions on the target fail the restore (listed by pid, user and application) unless"
                        + " --terminate-connections. Without CREATEDB (or not the owner's member), or with --in-place,"
                        + " the backup is restored into the target itself: in one transaction with --jobs 1, else a"
                        + " failure names the safety backup and the command that puts it back. Lock waits end after"
                        + " --lock-timeout, naming the blocking session. A target whose name or tables are not the"
                        + " backup's needs --confirm-target NAME.",
                "A backup that also holds Kubernetes objects, files or Qdrant collections restores each of them when"
                        + " its options below are given, after the database (when --to is given); an option ending in"
                        + " -only restores that part alone. Existing objects, files and collections are replaced only"
                        + " with --clean.",
                "Encrypted backups need --private-key (or ARCA_PRIVATE_KEY) or --passphrase-file (or ARCA_PASSPHRASE);"
                        + " the safety backup is encrypted to --encrypt-to, or else to the given private keys' public"
                        + " halves and passphrase."})
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;
    @Mixin
    PostgresOptions postgres;

    @Parameters(paramLabel = "ID", description = "Backup id, a unique prefix of one, 'latest', or 'latest~N' (the N-th"
            + " backup before the newest).")
    String id;

    @Option(names = "--before", paramLabel = "TIME", description = "With latest or latest~N: count only backups started"
            + " before TIME, e.g. 2026-01-24T10:30:00Z or '2026-01-24 10:30:00+02:00'; without an offset, local time.")
    String before;

    @Option(names = "--to", paramLabel = "URL", description = "Target database: postgresql://user@host:port/dbname.")
    String to;

    @Option(names = "--list", description = "Show what the backup contains (pg_restore --list) instead of restoring.")
    boolean list;

    @Option(names = "--clean", description = "Replace a target that holds objects with the backup: the whole database by"
            + " a swap, or with --in-place (or --table/--schema) the backup's objects in place.")
    boolean clean;

    @Option(names = "--no-safety-backup", description = "With --clean, do not back up the target first.")
    boolean noSafetyBackup;

    @Option(names = "--globals", description = "Also restore the backup's roles and tablespaces (a backup taken with"
            + " --globals), before the database: creates the missing ones, leaves existing ones as they are; with --clean"
            + " brings existing ones to the backup's attributes, passwords and memberships. Never drops a role, never"
            + " changes the connecting role.")
    boolean globals;

    @Option(names = "--in-place", description = "With --clean: restore into the target itself instead of a new database"
            + " swapped in (one transaction with --jobs 1).")
    boolean inPlace;

    @Option(names = "--terminate-connections", description = "With --clean: end the target's other sessions (and those"
            + " that hold locks the restore waits for) instead of failing.")
    boolean terminateConnections;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "The longest the restore waits for a lock held by another session (default 10s); the error"
                    + " names that session.")
    String lockTimeout;

    @Option(names = "--confirm-target", paramLabel = "NAME", description = "With --clean: the target database's name,"
            + " to replace a database whose name or tables are not the backup's.")
    String confirmTarget;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "1", description = "Parallel restore workers.")
    int jobs;

    @Option(names = {"-t", "--table"}, paramLabel = "NAME", description = "Restore only this table (name or schema.name)"
            + " with its data, constraints, indexes, triggers, defaults, owned sequences and the foreign keys whose other"
            + " side is there; with --clean in one transaction (--jobs ignored). Repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = {"-n", "--schema"}, paramLabel = "NAME", description = "Restore only this schema's objects, as"
            + " --table does for a table. Repeatable.")
    List<String> schemas = new ArrayList<>();

    @Option(names = {"-O", "--no-owner"}, description = "Do not restore object ownership.")
    boolean noOwner;

    @Option(names = {"-x", "--no-privileges"}, description = "Do not restore privileges (GRANT/REVOKE).")
    boolean noPrivileges;

    @Option(names = "--physical", description = "Restore a physical backup into --pgdata (point-in-time recovery).")
    boolean physical;

    @Option(names = "--pgdata", paramLabel = "DIR", description = "With --physical: the data directory to write.")
    Path pgdata;

    @Option(names = "--target-time", paramLabel = "TIME",
            description = "Recover up to this time (exclusive), e.g. 2026-01-24T10:30:00Z or '2026-01-24 10:30:00+02:00';"
                    + " without an offset, local time.")
    String targetTime;

    @Option(names = "--target-lsn", paramLabel = "LSN", description = "Recover up to this WAL position (exclusive), e.g. 0/3000060.")
    String targetLsn;

    @Option(names = "--target-xid", paramLabel = "XID", description = "Recover up to and including this transaction.")
    String targetXid;

    @Option(names = "--target-name", paramLabel = "NAME", description = "Recover up to this restore point (pg_create_restore_point).")
    String targetName;

    @Option(names = "--target", paramLabel = "immediate",
            description = "'immediate': stop as soon as the backup is consistent.")
    String target;

    @Option(names = "--target-timeline", paramLabel = "TIMELINE", defaultValue = "latest",
            description = "Recover along this timeline: latest (default: follow promotions archived since the"
                    + " backup), current (the backup's), or a number.")
    String targetTimeline;

    @Option(names = "--target-action", paramLabel = "ACTION", defaultValue = "promote",
            description = "At the target: promote (default), pause or shutdown.")
    String targetAction;

    @Option(names = "--tablespace-map", paramLabel = "OLD=NEW",
            description = "Put the tablespace at OLD (its old location or OID) at NEW. Repeatable.")
    Map<String, Path> tablespaceMap = new LinkedHashMap<>();

    @Option(names = "--delta", description = "With --physical: reuse a non-empty PGDATA, rewriting only files that differ"
            + " from the backup and removing the others.")
    boolean delta;

    @Option(names = "--force", description = "With --physical: delete the contents of a non-empty PGDATA (and tablespace"
            + " directories) first.")
    boolean force;

    @Option(names = "--start", description = "Start the server after restoring and wait until recovery reached the target.")
    boolean start;

    @Option(names = "--archive", description = "With --physical: let the restored server archive WAL as the backup's"
            + " settings say (a real failover). Default: archive_mode = off, so a restored copy never archives into"
            + " the source's WAL archive.")
    boolean archive;

    @Option(names = "--server-option", paramLabel = "OPTION",
            description = "With --start: a server option passed to pg_ctl -o, e.g. '-p 5433'. Repeatable.")
    List<String> serverOptions = new ArrayList<>();

    @Option(names = "--start-timeout", paramLabel = "DURATION", defaultValue = "24h",
            description = "With --start: how long to wait for recovery (default 24h).")
    String startTimeout;

    @Option(names = "--restore-command", paramLabel = "COMMAND",
            description = "The restore_command to write (%%f and %%p as PostgreSQL expands them). Default: this Arca's"
                    + " wal-fetch with this --repo and the key files given, behind a shell test that only moves a"
                    + " segment that wal-fetch's background prefetcher fetched into pg_wal/arca-spool.")
    String restoreCommand;

    @Mixin
    PrivateKeyOptions privateKeys;
    @Mixin
    PassphraseOptions passphrase;
    @Mixin
    PublicKeyOptions publicKeys;
    @Mixin
    HookFlags hookFlags;
    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws java.io.IOException {
        ConsoleProgress progress = progressOptions.open(root.err);
        try (Storage storage = repository.openStorage()) {
            DecryptionKeys decryption = Keys.decryption(privateKeys, passphrase);
            List<OpenPGPCertificate> recipients = publicKeys.certificates();
            EncryptionKeys encryption = !recipients.isEmpty() ? EncryptionKeys.of(recipients, passphrase.passphrase())
                    : decryption == null ? null : decryption.encryptionKeys();
            Repository repo = repository.open(storage).withKeys(encryption, decryption);
            List<SourceFlags.Selected> sources = SourceFlags.selected(spec, BackupSource::restoreOptions,
                    BackupSource::restoreSelected);
            if (physical) {
                if (!sources.isEmpty()) {
                    throw new UsageException("--physical restores a physical backup alone; restore "
                            + titles(sources) + " without --physical");
                }
                return hookFlags.hooks("restore", List.of()).run(() -> restorePhysical(repo, progress), progress);
            }
            rejectPhysicalOptions();
            sources.forEach(s -> s.source().checkRestore(s.options()));
            boolean only = sources.stream().anyMatch(s -> s.source().restoreOnly(s.options()));
            java.time.Instant beforeTime = before == null ? null
                    : RecoveryTarget.parseTime(before, java.time.ZoneId.systemDefault());
            BackupManifest backup;
            if (sources.isEmpty() && list) {
                // --list shows any backup but a physical one, also one without a database
                backup = repo.resolve(id, m -> m.has(LogicalBackup.SOURCE) || !Sections.others(m).isEmpty(),
                        "logical backup", beforeTime);
            } else if (sources.isEmpty()) {
                backup = PostgresSection.resolve(repo, id, BackupKind.LOGICAL, beforeTime);
            } else {
                boolean needDatabase = !only && to != null;
                // sources that may take part through their hooks alone need no section
                List<String> required = sources.stream().filter(s -> !hooksOnly(s)).map(s -> s.source().id()).toList();
                backup = repo.resolve(id, m -> (!needDatabase || m.has(LogicalBackup.SOURCE))
                        && required.stream().allMatch(m::has), "backup with "
                        + (needDatabase ? "a database and " : "") + titles(sources), beforeTime);
                for (SourceFlags.Selected s : sources) {
                    if (backup.has(s.source().id())) {
                        continue;
                    }
                    if (required.contains(s.source().id())) {
                        throw new UsageException("backup " + backup.backupId() + " holds no " + s.source().title()
                                + " (it holds " + Sections.describe(backup) + ")");
                    }
                    progress.note("backup " + backup.backupId() + " holds no " + s.source().title()
                            + ": only the hooks of its options run");
                }
            }
            if (PostgresSection.kind(backup) == io.arca.postgres.manifest.BackupKind.PHYSICAL) {
                throw new io.arca.core.error.ArcaException(io.arca.core.error.ErrorCode.USAGE, "backup "
                        + backup.backupId() + " is a physical backup", "restore it with 'arca restore --physical "
                        + backup.backupId() + " --pgdata DIR'");
            }
            if (to != null && only) {
                throw new UsageException("--to restores the database, and an option ending in -only asks for one"
                        + " other part alone: give one of them");
            }
            if (to != null && !backup.has(LogicalBackup.SOURCE)) {
                throw new UsageException("backup " + backup.backupId() + " holds no database to restore with --to (it"
                        + " holds " + Sections.describe(backup) + ")");
            }
            boolean database = backup.has(LogicalBackup.SOURCE) && !only && (to != null || sources.isEmpty());
            if (database && clean && !noSafetyBackup && !list) {
                // the safety backup must be possible before anything is touched
                repo.requireEncryption(encryption);
            }
            repo.requireReadable(backup);
            if (list) {
                if (backup.has(LogicalBackup.SOURCE)) {
                    root.out.print(new LogicalRestore(repo, postgres.binaries(), progress).list(backup));
                }
                printContents(repo, backup);
                root.out.flush();
                return 0;
            }
            // every part's target is checked before any part is restored: a restore never stops halfway
            for (SourceFlags.Selected s : sources) {
                s.source().checkTargets(new RestoreContext(repo, backup, clean, progress), backup.sections().stream()
                        .filter(section -> section.source().equals(s.source().id())).toList(), s.options());
            }
            List<Hook> sourceHooks = new ArrayList<>();
            sources.forEach(s -> sourceHooks.addAll(s.source().restoreHooks(s.options())));
            List<String> done = new ArrayList<>();
            List<String> parts = new ArrayList<>();
            Map<String, Object> report = new LinkedHashMap<>();
            hookFlags.hooks("restore", sourceHooks).run(() -> {
                if (database) {
                    report.putAll(restoreDatabase(repo, backup, encryption, storage, progress, done));
                } else if (backup.has(LogicalBackup.SOURCE) && !only) {
                    progress.note("the backup also holds database '" + Sections.databaseName(backup)
                            + "': --to URL restores it");
                }
                for (SourceFlags.Selected s : sources) {
                    for (Section section : backup.sections()) {
                        if (section.source().equals(s.source().id())) {
                            String line = s.source().restore(new RestoreContext(repo, backup, clean, progress), section,
                                    s.options());
                            parts.add(s.source().title() + " " + section.subject() + ": " + line);
                        }
                    }
                }
                return null;
            }, progress);
            progress.done();
            if (output.json()) {
                report.putIfAbsent("backup", backup.backupId());
                if (!parts.isEmpty()) {
                    report.put("parts", parts);
                }
                Text.json(root.out, report);
            } else {
                done.forEach(root.out::println);
                parts.forEach(root.out::println);
            }
            root.out.flush();
        } finally {
            progress.done();
        }
        return 0;
    }

    /**
     * Whether a source takes part through its hooks alone ({@code --scale-down} around the restore
     * of a backup that holds only a database): it asks for hooks and not for this source alone.
     */
    private static boolean hooksOnly(SourceFlags.Selected s) {
        return !s.source().restoreHooks(s.options()).isEmpty() && !s.source().restoreOnly(s.options());
    }

    private static String titles(List<SourceFlags.Selected> sources) {
        return sources.stream().map(s -> s.source().title()).collect(java.util.stream.Collectors.joining(", "));
    }

    /** {@code restore --list}: what each section of a source this Arca knows holds. */
    private void printContents(Repository repo, BackupManifest backup) {
        for (Section section : backup.sections()) {
            var source = SourceFlags.sources().find(section.source());
            if (source.isEmpty()) {
                if (!section.source().startsWith("postgresql.")) {
                    root.out.println("; " + section.source() + " " + section.subject() + ": a source this arca does"
                            + " not know");
                }
                continue;
            }
            root.out.println("; " + source.get().title() + " " + section.subject());
            try {
                source.get().contents(repo, backup, section).forEach(root.out::println);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * The database part: the backup's pg_dump archive into --to. Adds its lines to {@code lines} and
     * returns its fields for {@code --output json}.
     */
    private Map<String, Object> restoreDatabase(Repository repo, BackupManifest backup, EncryptionKeys encryption,
            Storage storage, ConsoleProgress progress, List<String> lines) {
        LogicalRestore restore = new LogicalRestore(repo, postgres.binaries(), progress);
        if (to == null) {
            throw new UsageException("missing --to URL: the database to restore into");
        }
        if (jobs < 1) {
            throw new UsageException("--jobs must be at least 1");
        }
        if (!clean && (inPlace || confirmTarget != null)) {
            throw new UsageException("--in-place and --confirm-target go with --clean");
        }
        java.time.Duration lockWait;
        try {
            lockWait = DurationText.parse(lockTimeout);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid --lock-timeout '" + lockTimeout + "': " + e.getMessage(), e);
        }
        LogicalRestoreOptions options = new LogicalRestoreOptions(clean, !noSafetyBackup, jobs, tables, schemas,
                noOwner, noPrivileges, new ReplaceOptions(inPlace, terminateConnections, lockWait, confirmTarget));
        GlobalsRestore.Result g = globals ? new GlobalsRestore(repo, progress).run(backup,
                ConnectionSettings.parse(to, System.getenv()), clean) : null;
        if (!globals && GlobalsRestore.hasGlobals(backup)) {
            progress.note("the backup also holds roles and tablespaces: --globals restores the missing ones");
        }
        RestoreResult r;
        // a restore that may write a safety backup leases the repository like a backup does
        try (Lease lease = clean && !noSafetyBackup ? OpenRepository.leases(storage).acquire(LeaseMode.SHARED,
                "restore") : null) {
            r = restore.run(backup, ConnectionSettings.parse(to, System.getenv()), options);
        } catch (io.arca.core.error.ArcaException e) {
            throw repo.namingNewestIntact(e, backup);
        }
        progress.done();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("backup", r.backup().backupId());
        j.put("target", r.target());
        j.put("created", r.created());
        j.put("mode", r.mode().label());
        j.put("safetyBackup", r.safetyBackup() == null ? null : r.safetyBackup().backupId());
        j.put("durationMillis", r.duration().toMillis());
        j.put("globals", g);
        if (g != null) {
            lines.add(g.describe());
        }
        if (r.safetyBackup() != null) {
            lines.add("safety backup " + r.safetyBackup().backupId() + " taken of the target before replacing it");
        }
        lines.add("restored " + r.backup().backupId() + " into " + r.target() + switch (r.mode()) {
            case CREATED -> " (created)";
            case SWAPPED -> " (replaced: restored into a new database, then swapped in)";
            case IN_PLACE_TRANSACTION -> " (in place, one transaction)";
            case IN_PLACE -> " (in place)";
            default -> "";
        } + " in " + Text.duration(r.duration()));
        return j;
    }

    private int restorePhysical(Repository repo, ConsoleProgress progress) {
        if (pgdata == null) {
            throw new UsageException("missing --pgdata DIR: the data directory to restore into");
        }
        if (globals) {
            throw new UsageException("--globals is for logical backups taken with --globals, not --physical"
                    + " (a physical backup holds the whole cluster, roles included)");
        }
        if (before != null) {
            throw new UsageException("--before is for logical restores; with --physical, --target-time picks the newest"
                    + " backup that ended before it");
        }
        if (to != null || list || clean || jobs != 1 || !tables.isEmpty() || !schemas.isEmpty() || noOwner || noPrivileges
                || inPlace || terminateConnections || confirmTarget != null) {
            throw new UsageException("--to, --list, --clean, --jobs, --table, --schema, --no-owner, --no-privileges,"
                    + " --in-place, --terminate-connections and --confirm-target are for logical backups, not --physical");
        }
        RecoveryTarget recoveryTarget = recoveryTarget();
        PhysicalRestore restore = new PhysicalRestore(repo, progress);
        BackupManifest backup = restore.choose(id, recoveryTarget);
        Path pgCtlDir = null;
        if (start) {
            int major = PostgresSection.physical(backup).serverVersionNum() / 10000;
            pgCtlDir = postgres.binaries().require("pg_ctl", major).getParent();
        }
        PhysicalRestoreOptions options = new PhysicalRestoreOptions(pgdata, recoveryTarget, targetTimeline, targetAction,
                tablespaceMap, delta, force, restoreCommand != null ? restoreCommand : defaultRestoreCommand(),
                start, serverOptions, DurationText.parse(startTimeout), pgCtlDir, archive);
        PhysicalRestore.Result r = restore.run(backup, options);
        progress.done();
        if (output.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("backup", r.backup().backupId());
            j.put("pgdata", r.pgdata().toString());
            j.put("target", recoveryTarget.describe());
            j.put("filesWritten", r.filesWritten());
            j.put("filesKept", r.filesKept());
            j.put("filesRemoved", r.filesRemoved());
            j.put("bytesWritten", r.bytesWritten());
            j.put("recovery", r.recovery());
            j.put("durationMillis", r.duration().toMillis());
            Text.json(root.out, j);
        } else {
            root.out.println("restored physical backup " + r.backup().backupId() + " into " + r.pgdata() + " in "
                    + Text.duration(r.duration()) + ": " + r.filesWritten() + " files written ("
                    + Text.bytes(r.bytesWritten()) + ")" + (delta ? ", " + r.filesKept() + " kept, " + r.filesRemoved()
                    + " removed" : ""));
            root.out.println("recovery: " + r.recovery());
            root.out.flush();
        }
        return 0;
    }

    private RecoveryTarget recoveryTarget() {
        List<RecoveryTarget> given = new ArrayList<>();
        if (targetTime != null) {
            given.add(RecoveryTarget.time(RecoveryTarget.parseTime(targetTime, java.time.ZoneId.systemDefault())));
        }
        if (targetLsn != null) {
            given.add(RecoveryTarget.lsn(io.arca.postgres.wal.Lsn.parse(targetLsn)));
        }
        if (targetXid != null) {
            given.add(RecoveryTarget.xid(targetXid));
        }
        if (targetName != null) {
            given.add(RecoveryTarget.name(targetName));
        }
        if (target != null) {
            if (!target.equals("immediate")) {
                throw new UsageException("invalid --target '" + target + "': the only value is immediate");
            }
            given.add(RecoveryTarget.immediate());
        }
        if (given.size() > 1) {
            throw new UsageException("give at most one of --target-time, --target-lsn, --target-xid,"
                    + " --target-name and --target");
        }
        return given.isEmpty() ? RecoveryTarget.latest() : given.get(0);
    }

    /**
     * {@code <java> -jar <this jar> wal-fetch %f %p --repo URL} plus the key files given: what
     * PostgreSQL runs for each WAL file during recovery.
     */
    private String defaultRestoreCommand() {
        Path jar;
        try {
            jar = Path.of(RestoreCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            jar = null;
        }
        if (jar == null || !jar.toString().endsWith(".jar")) {
            throw new UsageException("cannot tell how the server should run Arca (not started from arca.jar):"
                    + " give --restore-command 'arca wal-fetch %f %p --repo URL'");
        }
        // its temp directory in the data directory, which the server's user owns (/tmp may not be writable for it,
        // or hold native libraries another user unpacked)
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + WalArchive.FETCH_TEMP));
        Path jsa = jar.resolveSibling("arca.jsa");
        if (java.nio.file.Files.isReadable(jsa)) {
            // the class-data-sharing archive the launcher writes: each call starts in half the time
            cmd.addAll(List.of("-XX:SharedArchiveFile=" + jsa.toAbsolutePath(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        StorageUrl url = repository.url();
        // restore_command runs in the data directory: a local repository needs its absolute path
        String repo = url.scheme().equals("file") ? Path.of(url.path()).toAbsolutePath().toString() : url.toString();
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "wal-fetch", "%f", "%p", "--repo", repo));
        for (Path key : privateKeys.files) {
            cmd.add("--private-key");
            cmd.add(key.toAbsolutePath().toString());
        }
        if (privateKeys.passphraseFile != null) {
            cmd.add("--private-key-passphrase-file");
            cmd.add(privateKeys.passphraseFile.toAbsolutePath().toString());
        }
        if (passphrase.file != null) {
            cmd.add("--passphrase-file");
            cmd.add(passphrase.file.toAbsolutePath().toString());
        }
        String fetch = cmd.stream().map(RestoreCommand::shellWord).collect(java.util.stream.Collectors.joining(" "));
        // A segment an earlier call prefetched (and checked) only has to be moved: the shell does it, without
        // starting a JVM. PostgreSQL runs the command in the data directory, with sh.
        String spool = WalArchive.DEFAULT_SPOOL;
        return "if [ -f " + spool + "/%f ] && [ -O " + spool + " ]; then mv -f " + spool + "/%f %p; else mkdir -p "
                + WalArchive.FETCH_TEMP + " && " + fetch + "; fi";
    }

    private static String shellWord(String w) {
        return w.matches("[A-Za-z0-9_@%+=:,./-]+") ? w : "'" + w.replace("'", "'\\''") + "'";
    }

    /** Physical-only options are refused for a logical restore, not silently ignored. */
    private void rejectPhysicalOptions() {
        if (pgdata != null || targetTime != null || targetLsn != null || targetXid != null || targetName != null
                || target != null || !tablespaceMap.isEmpty() || delta || force || start || restoreCommand != null
                || archive) {
            throw new UsageException("--pgdata, --target*, --tablespace-map, --delta, --force, --start,"
                    + " --restore-command and --archive need --physical");
        }
    }
}

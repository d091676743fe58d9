package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.Progress;
import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.postgres.archive.ArchiveRestore;
import io.arca.postgres.archive.ArchiveToc;
import io.arca.postgres.archive.BlockRef;
import io.arca.postgres.archive.DirectoryToc;
import io.arca.postgres.archive.PgRestoreCommand;
import io.arca.postgres.archive.RestoreOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.local.PgVersion;
import io.arca.postgres.local.ToolProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Restores a logical backup into a database: creates it when missing, refuses a non-empty one
 * unless cleaning (after a safety backup), and streams the artifacts out of the repository into
 * {@code pg_restore} or {@code psql}.
 */
public final class LogicalRestore {
    private final Repository repository;
    private final PgBinaries binaries;
    private final Progress progress;

    public LogicalRestore(Repository repository, PgBinaries binaries, Progress progress) {
        this.repository = repository;
        this.binaries = binaries;
        this.progress = progress;
    }

    /** The artifacts of the database dump (not globals), in manifest order. */
    static List<ArtifactRecord> databaseArtifacts(BackupManifest m) {
        List<ArtifactRecord> out = m.artifacts().stream().filter(a -> LogicalBackup.SOURCE.equals(a.source())).toList();
        if (out.isEmpty()) {
            throw new ArcaException(ErrorCode.FAILURE, "backup '" + m.backupId() + "' holds no database dump",
                    "choose a logical backup with 'arca list'");
        }
        return out;
    }

    /** The {@code <db>.dir/} prefix of a directory-format backup's artifact names. */
    private static String directoryPrefix(List<ArtifactRecord> artifacts) {
        String first = artifacts.get(0).name();
        return first.substring(0, first.indexOf('/') + 1);
    }

    static DumpFormat formatOf(BackupManifest m) {
        return DumpFormat.fromArtifactFormat(databaseArtifacts(m).get(0).format());
    }

    /**
     * What the backup contains, as {@code pg_restore --list} prints it; for plain SQL backups the
     * tables recorded in the manifest.
     */
    public String list(BackupManifest backup) {
        List<ArtifactRecord> artifacts = databaseArtifacts(backup);
        DumpFormat format = formatOf(backup);
        if (format == DumpFormat.PLAIN) {
            StringBuilder sb = new StringBuilder("; plain SQL script ").append(artifacts.get(0).file())
                    .append(", restored with psql\n");
            PostgresSection.DatabaseInfo db = PostgresSection.database(backup);
            if (db != null) {
                db.tables().forEach(t -> sb.append("TABLE DATA ").append(t.schema()).append(' ')
                        .append(t.name()).append(" (").append(t.rows() == null ? "?" : t.rows()).append(" rows)\n"));
            }
            return sb.toString();
        }
        Path pgRestore = binaries.require("pg_restore", dumpMajor(backup));
        try {
            if (format == DumpFormat.CUSTOM) {
                try (RepositoryArchiveSource source = new RepositoryArchiveSource(repository, backup, artifacts.get(0))) {
                    return new ArchiveRestore(new PgRestoreCommand(pgRestore, null)).list(source, RestoreOptions.defaults());
                }
            }
            String prefix = directoryPrefix(artifacts);
            ArtifactRecord toc = artifacts.stream().filter(a -> a.name().equals(prefix + "toc.dat")).findFirst()
                    .orElseThrow(() -> new ArcaException(ErrorCode.VERIFICATION_FAILED, "backup '" + backup.backupId()
                            + "' has no toc.dat", "the backup is damaged; restore another one"));
            Path dir = TempFiles.createPrivateDirectory(null, "arca-list-");
            try {
                try (InputStream in = repository.openArtifact(backup, toc)) {
                    java.nio.file.Files.copy(in, dir.resolve("toc.dat"));
                }
                return new ArchiveRestore(new PgRestoreCommand(pgRestore, null)).list(dir, RestoreOptions.defaults());
            } finally {
                TempFiles.deleteQuietly(dir);
            }
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot list backup '" + backup.backupId() + "': " + e.getMessage(),
                    null, e);
        }
    }

    /**
     * Restores {@code backup} into {@code target}. A missing target is created (and dropped again
     * when the restore fails); an empty one is restored into. One that holds objects is refused
     * without {@code clean}; with it, the whole database is replaced (see {@link #replace}); a
     * table or schema selection is restored into it in place. Every session of the restore
     * carries one application name, so that the {@link LockWatch} bounds its lock waits and
     * session listings leave it out.
     */
    public RestoreResult run(BackupManifest backup, ConnectionSettings target, LogicalRestoreOptions options) {
        long started = System.nanoTime();
        DumpFormat format = formatOf(backup);
        boolean selective = !options.tables().isEmpty() || !options.schemas().isEmpty();
        if (format == DumpFormat.PLAIN && selective) {
            throw new ArcaException(ErrorCode.USAGE, "backup '" + backup.backupId()
                    + "' is a plain SQL script: --table and --schema need a custom or directory format backup",
                    "restore the whole backup, or take backups with --format custom");
        }
        // names checked against the backup before the target is touched
        TableSelection.check(repository, backup, target, options, progress);
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        int stale = TempFiles.removeStaleDirectories(temp);
        if (stale > 0) {
            progress.note("removed " + stale + " temporary folder" + (stale == 1 ? "" : "s") + " in '" + temp
                    + "' that interrupted runs left");
        }
        int targetMajor = TargetDatabase.serverMajor(target);
        String application = ownApplication();
        ConnectionSettings own = withApplication(target, application);
        ConnectionSettings maintenance = TargetDatabase.maintenanceSettings(own);
        int dumpMajor = dumpMajor(backup);
        Path program = binaries.require(format == DumpFormat.PLAIN ? "psql" : "pg_restore", Math.max(targetMajor, dumpMajor));
        try (LockWatch watch = LockWatch.start(maintenance, application, options.replace().lockTimeout(),
                options.replace().terminateConnections() ? target.database() : null)) {
            if (options.clean() && !selective) {
                // before anything connects to the target: an interrupted swap may have stopped its connections
                DatabaseSwap.removeLeftovers(maintenance, target.database(), progress::note);
            }
            PostgresSection.DatabaseInfo db = PostgresSection.database(backup);
            String encoding = db == null ? null : db.encoding();
            boolean created = TargetDatabase.createIfMissing(target, encoding);
            String contents = created ? null : TargetDatabase.contents(target);
            if (contents != null && !options.clean()) {
                throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, "database '" + target.database() + "' at '"
                        + target.hostAndPort() + "' is not empty (" + contents + ")",
                        "restore into a new database, or pass --clean to replace it with the backup"
                                + " (a safety backup of the target is taken first)");
            }
            if (contents != null && !selective) {
                return replace(backup, own, maintenance, format, program, options, watch, started);
            }
            BackupManifest safety = null;
            if (created) {
                progress.note("created database '" + target.database() + "'");
            } else if (contents != null) {
                // a selection replaces live tables: the parts it reads are checked whole only at the end
                checkWhole(backup, target.database());
                if (options.safetyBackup()) {
                    safety = safetyBackup(backup, own);
                }
            }
            progress.note("restoring backup '" + backup.backupId() + "' into " + target.describe() + " with " + program);
            boolean restored = false;
            try {
                restoreFormat(format, backup, own, program, options, !created);
                restored = true;
            } catch (ArcaException e) {
                throw watch.explain(e, "");
            } finally {
                if (!restored && created) {
                    // A half-restored database that this restore created helps nobody and blocks a retry.
                    TargetDatabase.dropQuietly(target);
                    progress.note("dropped database '" + target.database() + "' that the failed restore had created");
                }
            }
            RestoreResult.Mode mode = created ? RestoreResult.Mode.CREATED
                    : contents == null ? RestoreResult.Mode.EMPTY : RestoreResult.Mode.SELECTED;
            return new RestoreResult(backup, target.describe(), created, safety, Duration.ofNanos(System.nanoTime() - started),
                    mode);
        }
    }

    /** The restore of one format into {@code target}; {@code existing}: the database held objects (clean them). */
    private void restoreFormat(DumpFormat format, BackupManifest backup, ConnectionSettings target, Path program,
            LogicalRestoreOptions options, boolean existing) {
        try {
            switch (format) {
                case PLAIN -> restorePlain(backup, target, program);
                case CUSTOM -> restoreCustom(backup, target, program, options, existing);
                case DIRECTORY -> restoreDirectory(backup, target, program, options, existing);
            }
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "restore of '" + backup.backupId() + "' failed: " + e.getMessage(),
                    "run with --debug for details", e);
        }
    }

    /**
     * Replaces a whole database that holds objects with the backup. Nothing in the target changes
     * before the backup is checked whole (every artifact's stored size and SHA-256, and the keys)
     * and, unless turned off, a safety backup of the target is taken. Then, where the role may
     * create databases and owns the target, the backup goes into a new database that replaces the
     * target by a rename swap only once restored ({@link DatabaseSwap}); otherwise, or with
     * {@code --in-place}, into the target itself: with one job in one transaction ({@link
     * SingleTransactionRestore}), with more in parallel, where a failure names the safety backup
     * that puts the target back.
     */
    private RestoreResult replace(BackupManifest backup, ConnectionSettings target, ConnectionSettings maintenance,
            DumpFormat format, Path program, LogicalRestoreOptions options, LockWatch watch, long started) {
        String name = target.database();
        ReplaceOptions replace = options.replace();
        requireConfirmation(backup, target, replace);
        checkWhole(backup, name);
        boolean swap = !replace.inPlace() && swapPossible(maintenance, target);
        if (swap && !replace.terminateConnections()) {
            // fail before the long part, not only at the swap
            List<TargetSessions.Session> sessions = sessions(maintenance, name, watch.application());
            if (!sessions.isEmpty()) {
                throw TargetSessions.inTheWay(name, sessions, "nothing was changed");
            }
        }
        BackupManifest safety = null;
        if (options.safetyBackup()) {
            try {
                safety = safetyBackup(backup, target);
            } catch (ArcaException e) {
                throw watch.explain(e, "; database '" + name + "' is unchanged");
            }
        }
        return swap ? swapIn(backup, target, maintenance, format, program, options, watch, safety, started)
                : inPlace(backup, target, format, program, options, watch, safety, started);
    }

    private RestoreResult swapIn(BackupManifest backup, ConnectionSettings target, ConnectionSettings maintenance,
            DumpFormat format, Path program, LogicalRestoreOptions options, LockWatch watch, BackupManifest safety,
            long started) {
        String name = target.database();
        DatabaseSwap swap = DatabaseSwap.of(maintenance, name, progress::note);
        swap.create();
        boolean done = false;
        try {
            ConnectionSettings fresh = target.withDatabase(swap.freshName());
            progress.note("restoring backup '" + backup.backupId() + "' into " + fresh.describe() + " with " + program);
            try {
                restoreFormat(format, backup, fresh, program, options, false);
                swap.copyDatabaseAttributes();
            } catch (ArcaException e) {
                throw watch.explain(e, "; database '" + name + "' is unchanged");
            }
            swap.swap(watch.application(), options.replace().terminateConnections(), options.replace().lockTimeout());
            done = true;
        } finally {
            if (!done) {
                swap.dropFresh();
            }
        }
        return new RestoreResult(backup, target.describe(), false, safety, Duration.ofNanos(System.nanoTime() - started),
                RestoreResult.Mode.SWAPPED);
    }

    private RestoreResult inPlace(BackupManifest backup, ConnectionSettings target, DumpFormat format, Path program,
            LogicalRestoreOptions options, LockWatch watch, BackupManifest safety, long started) {
        String name = target.database();
        boolean oneTransaction = options.jobs() == 1 || format == DumpFormat.PLAIN;
        progress.note("restoring backup '" + backup.backupId() + "' into " + target.describe() + " itself"
                + (oneTransaction ? ", in one transaction," : ", in parallel (not in one transaction),") + " with " + program);
        try {
            if (oneTransaction) {
                new SingleTransactionRestore(repository, progress).run(backup, format, target, program, options);
            } else {
                restoreFormat(format, backup, target, program, options, true);
            }
        } catch (IOException | ArcaException e) {
            ArcaException cause = e instanceof ArcaException ae ? ae
                    : new ArcaException(ErrorCode.FAILURE, "restore of '" + backup.backupId() + "' failed: " + e.getMessage(),
                            null, e);
            String state = oneTransaction ? "; the transaction was rolled back: database '" + name + "' is as before"
                    : "; database '" + name + "' may be half-restored";
            ArcaException explained = watch.explain(cause, state);
            String undo = safety == null ? (oneTransaction ? "" : "; no safety backup was taken (--no-safety-backup)")
                    : "; the safety backup " + safety.backupId() + " puts it back: " + putBackCommand(safety, target);
            throw new ArcaException(explained.code(), explained.getMessage() + (explained == cause ? state : "") + undo,
                    explained.hint(), explained);
        }
        return new RestoreResult(backup, target.describe(), false, safety, Duration.ofNanos(System.nanoTime() - started),
                oneTransaction ? RestoreResult.Mode.IN_PLACE_TRANSACTION : RestoreResult.Mode.IN_PLACE);
    }

    /** The command that restores the safety backup over the target again. */
    private String putBackCommand(BackupManifest safety, ConnectionSettings target) {
        return "arca restore " + safety.backupId() + " --repo '" + repository.storage().url() + "' --to '"
                + target.describe() + "' --clean --in-place --no-safety-backup";
    }

    /**
     * Replacing a database whose name or tables are not the backup's needs {@code --confirm-target}
     * with the target's name (item: restoring one application's backup over another's database).
     */
    private static void requireConfirmation(BackupManifest backup, ConnectionSettings target, ReplaceOptions replace) {
        String name = target.database();
        if (replace.confirmTarget() != null) {
            if (!replace.confirmTarget().equals(name)) {
                throw new UsageException("--confirm-target '" + replace.confirmTarget()
                        + "' does not name the target database '" + name + "'",
                        "give --confirm-target " + name + " to replace '" + name + "'", null);
            }
            return;
        }
        String why = TargetDatabase.confirmationNeeded(backup, name, TargetDatabase.tables(target));
        if (why != null) {
            throw new UsageException("refusing to replace database '" + name + "' with backup '" + backup.backupId()
                    + "': " + why, "check --to; pass --confirm-target " + name + " to replace it all the same"
                    + " (a safety backup is taken first)", null);
        }
    }

    /**
     * Reads every artifact of the backup as stored and compares its size and SHA-256 with the
     * manifest, and checks that the keys open it: before anything in the target changes.
     */
    private void checkWhole(BackupManifest backup, String target) {
        progress.note("checking backup '" + backup.backupId() + "' whole (sizes, SHA-256, keys) before changing '"
                + target + "'");
        try {
            repository.requireReadable(backup);
            for (ArtifactRecord a : backup.artifacts()) {
                repository.verifyStored(backup, a);
            }
        } catch (ArcaException e) {
            throw new ArcaException(e.code(), e.getMessage() + "; database '" + target + "' was not changed", e.hint(), e);
        }
    }

    private boolean swapPossible(ConnectionSettings maintenance, ConnectionSettings target) {
        try (java.sql.Connection c = io.arca.postgres.local.PgConnections.open(maintenance)) {
            if (DatabaseSwap.possible(c, target.database())) {
                return true;
            }
        } catch (java.sql.SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot read the rights of role '" + target.user() + "': "
                    + e.getMessage(), "check that the role may connect to '" + maintenance.database() + "'", e);
        }
        progress.note("role '" + target.user() + "' cannot create a database owned by the owner of '" + target.database()
                + "' (no CREATEDB, or not a member of the owner): restoring into '" + target.database() + "' itself");
        return false;
    }

    private static List<TargetSessions.Session> sessions(ConnectionSettings maintenance, String database,
            String ownApplication) {
        try (java.sql.Connection c = io.arca.postgres.local.PgConnections.open(maintenance)) {
            return TargetSessions.on(c, database, ownApplication);
        } catch (java.sql.SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot list the sessions on '" + database + "': " + e.getMessage(),
                    "check that the role may read pg_stat_activity", e);
        }
    }

    /** {@code arca-restore-<8 hex>}: the application name of this restore's sessions. */
    private static String ownApplication() {
        byte[] b = new byte[4];
        new java.security.SecureRandom().nextBytes(b);
        return "arca-restore-" + java.util.HexFormat.of().formatHex(b);
    }

    private static ConnectionSettings withApplication(ConnectionSettings s, String application) {
        Map<String, String> parameters = new java.util.LinkedHashMap<>(s.parameters());
        parameters.put("application_name", application);
        return new ConnectionSettings(s.host(), s.port(), s.user(), s.database(), s.password(), parameters);
    }

    private BackupManifest safetyBackup(BackupManifest restoring, ConnectionSettings target) {
        progress.note("taking a safety backup of '" + target.database() + "' before replacing it");
        LogicalBackupOptions o = LogicalBackupOptions.defaults(repository.defaultCodec())
                .withLabels(Map.of(BackupManifest.PURPOSE_LABEL, BackupManifest.SAFETY, "before-restore-of",
                        restoring.backupId()));
        BackupManifest safety = new LogicalBackup(repository, binaries, progress).run(target, o);
        progress.note("safety backup " + safety.backupId() + " taken");
        return safety;
    }

    /** Major version of the pg_dump that wrote the backup, or 0 when not recorded. */
    static int dumpMajor(BackupManifest m) {
        String v = m.tools().get("pg_dump");
        if (v == null) {
            return 0;
        }
        try {
            return PgVersion.parseVersionOutput("pg_dump (PostgreSQL) " + v).major();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private void restorePlain(BackupManifest m, ConnectionSettings target, Path psql) throws IOException {
        ArtifactRecord a = databaseArtifacts(m).get(0);
        ToolProcess p = ToolProcess.builder(psql)
                .args("--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--dbname=" + target.libpqConninfo(), "--file=-")
                .environment(target.libpqEnvironment()).discardStdout().start();
        feed(repository, progress, p, m, a, "psql");
    }

    private void restoreCustom(BackupManifest m, ConnectionSettings target, Path pgRestore, LogicalRestoreOptions o,
            boolean existing) throws IOException {
        ArtifactRecord a = databaseArtifacts(m).get(0);
        ArchiveRestore restore = new ArchiveRestore(new PgRestoreCommand(pgRestore, target));
        RestoreOptions ro = archiveOptions(o, existing, a.size());
        boolean selective = !o.tables().isEmpty() || !o.schemas().isEmpty();
        if (o.jobs() > 1 || selective) {
            // Block by block from the seek points: parallel, and a selective restore reads only
            // the selected tables' blocks (pg_restore stops reading a pipe once it has them).
            try (RepositoryArchiveSource source = new RepositoryArchiveSource(repository, m, a)) {
                if (source.seekable()) {
                    try {
                        if (DirectoryToc.supports(source.toc())) {
                            progress.note("restoring with one pg_restore --jobs " + o.jobs()
                                    + " over a directory view of the backup");
                            restoreCustomAsDirectory(source, target, pgRestore, o, existing);
                        } else {
                            progress.note("restoring in phases with " + o.jobs()
                                    + " data workers (the backup holds large objects)");
                            restore.restore(source, ro);
                        }
                    } catch (ArcaException toolFailed) {
                        // pg_restore failing on bad data: the check says whether the artifact is damaged
                        ArcaException damaged = toolFailed.code() == ErrorCode.TOOL_FAILED ? source.damage() : null;
                        if (damaged != null && damaged != toolFailed) {
                            damaged.addSuppressed(toolFailed);
                            throw damaged;
                        }
                        throw toolFailed;
                    }
                    // the parts were checked frame by frame; the whole artifact against its manifest here
                    source.finish();
                    return;
                }
            }
            progress.note("backup '" + m.backupId() + "' cannot be read in parts (no seek points, or encrypted by"
                    + " another tool); restoring from one stream");
        }
        try (InputStream in = repository.openArtifact(m, a)) {
            try {
                restore.restoreSerial(in, ro);
            } catch (ArcaException toolFailed) {
                throw damagedOr(in, toolFailed);
            }
        }
    }

    /**
     * After a tool failed on an artifact stream: reads the rest of the stream so that its digest
     * check runs. A damaged artifact is reported as such (verification failure), not as whatever
     * the tool made of the damaged bytes; otherwise the tool's own failure stands.
     */
    private static ArcaException damagedOr(InputStream in, ArcaException toolFailed) throws IOException {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (ArcaException damaged) {
            if (damaged != toolFailed) {
                // the stream fails with the same exception each time it is read after its check failed
                damaged.addSuppressed(toolFailed);
            }
            return damaged;
        }
        return toolFailed;
    }

    private RestoreOptions archiveOptions(LogicalRestoreOptions o, boolean existing, long total) {
        return new RestoreOptions(o.jobs(), o.tables(), o.schemas(), o.clean() && existing, o.noOwner(), o.noPrivileges(),
                (fed, t) -> progress.bytes("restore", fed, t < 0 ? total : t));
    }

    private void restoreDirectory(BackupManifest m, ConnectionSettings target, Path pgRestore, LogicalRestoreOptions o,
            boolean existing) throws IOException {
        List<ArtifactRecord> artifacts = databaseArtifacts(m);
        try (DirectoryArchiveView view = DirectoryArchiveView.open(repository, m, artifacts, directoryPrefix(artifacts))) {
            restoreView(view, ArchiveToc.readDirectory(view.directory()), target, pgRestore, o, existing);
        }
    }

    /**
     * A custom archive restored as a directory-format one: its TOC rewritten as {@code toc.dat},
     * each table's data a named pipe fed from its seek point. One {@code pg_restore -j N} then
     * schedules everything itself, so one table's indexes are built while another still loads.
     */
    private void restoreCustomAsDirectory(RepositoryArchiveSource source, ConnectionSettings target, Path pgRestore,
            LogicalRestoreOptions o, boolean existing) throws IOException {
        int intSize = source.toc().header().intSize();
        java.util.Set<Integer> withData = new java.util.HashSet<>();
        source.blocks().forEach(b -> withData.add(b.dumpId()));
        try (DirectoryArchiveView view = DirectoryArchiveView.create()) {
            view.file("toc.dat", DirectoryToc.write(source.toc(), withData::contains));
            for (BlockRef block : source.blocks()) {
                view.pipe(DirectoryToc.fileName(block.dumpId()), out -> {
                    try (InputStream in = source.openBlock(block)) {
                        DirectoryToc.copyBlockData(in, intSize, out);
                    }
                });
            }
            restoreView(view, source.toc(), target, pgRestore, o, existing);
        }
    }

    /** One {@code pg_restore --format=directory --jobs=N} over a view, after the clean when asked. */
    private void restoreView(DirectoryArchiveView view, ArchiveToc toc, ConnectionSettings target, Path pgRestore,
            LogicalRestoreOptions o, boolean existing) {
        RestoreOptions ro = archiveOptions(o, existing, 0);
        if (ro.clean()) {
            progress.note("dropping the backup's objects from '" + target.database() + "'");
        }
        boolean ok = false;
        try {
            new ArchiveRestore(new PgRestoreCommand(pgRestore, target)).restoreDirectory(view.directory(), toc, ro);
            ok = true;
        } catch (ArcaException toolFailed) {
            throw view.explain(toolFailed);
        } finally {
            view.finish(ok);
        }
    }

    /**
     * Streams an artifact into the process's stdin, then waits for it to succeed (see {@link
     * #damagedOr}); the artifact is read to its end either way, so its check always runs.
     */
    static void feed(Repository repository, Progress progress, ToolProcess p, BackupManifest m, ArtifactRecord a,
            String what) throws IOException {
        try (InputStream in = repository.openArtifact(m, a)) {
            byte[] buffer = new byte[1 << 20];
            long done = 0;
            try (OutputStream stdin = p.stdin()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    stdin.write(buffer, 0, n);
                    done += n;
                    progress.bytes("restore", done, a.size());
                }
            } catch (IOException stoppedReading) {
                // The tool stopped reading; its exit status below says why.
            }
            progress.bytes("restore", done, a.size());
            try {
                p.waitForSuccess(what);
            } catch (ArcaException toolFailed) {
                throw damagedOr(in, toolFailed);
            }
            // a tool that stopped reading early and succeeded: the rest is read, so the check runs
            in.transferTo(OutputStream.nullOutputStream());
        } finally {
            p.destroy();
        }
    }
}

package io.arca.postgres.logical;

import io.arca.postgres.manifest.BackupKind;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.ArcaVersion;
import io.arca.core.Progress;
import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.pipeline.SeekPoint;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.source.BackupPart;
import io.arca.core.source.CompositeBackup;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository.PendingBackup;
import io.arca.core.repo.Repository;
import io.arca.postgres.archive.CustomArchiveScanner;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.local.ToolProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Takes a logical backup: {@code pg_dump} in the snapshot of a {@link SnapshotSession}, its output
 * streamed through the pipeline straight into the repository, row counts taken in the same
 * snapshot while the dump runs, then the manifest as commit marker.
 */
public final class LogicalBackup {
    /** Source name recorded for database artifacts. */
    public static final String SOURCE = "postgresql.logical";
    /** Source name recorded for the globals artifact. */
    public static final String GLOBALS_SOURCE = "postgresql.globals";
    private static final int BUFFER = 1 << 20;

    private final Repository repository;
    private final PgBinaries binaries;
    private final Progress progress;

    public LogicalBackup(Repository repository, PgBinaries binaries, Progress progress) {
        this.repository = repository;
        this.binaries = binaries;
        this.progress = progress;
    }

    /** Backs up the database at {@code db}; returns the committed manifest. */
    public BackupManifest run(ConnectionSettings db, LogicalBackupOptions options) {
        return CompositeBackup.run(repository, List.of(pending -> List.of(part(pending, db, options))), options.labels());
    }

    /**
     * Takes the database's part of a backup into {@code pending}: the dump (and globals) as
     * artifacts, and the {@code postgresql.logical} section. Commits nothing (see
     * {@link CompositeBackup}).
     */
    public BackupPart part(PendingBackup pending, ConnectionSettings db, LogicalBackupOptions options) {
        long started = System.nanoTime();
        try (SnapshotSession session = SnapshotSession.open(db, options.lockWaitTimeout())) {
            ServerInfo server = session.server();
            Path pgDump = binaries.require("pg_dump", server.major());
            Map<String, String> tools = new LinkedHashMap<>();
            tools.put("pg_dump", binaries.versionOf(pgDump).toString());
            var migration = session.migration();
            RowCounter counter = new RowCounter(session, options.countRows());
            String base = fileBase(server.database());
            progress.note("dumping database '" + server.database() + "' from " + db.describe() + " with "
                    + pgDump + " (" + options.format().name().toLowerCase(java.util.Locale.ROOT) + ")");

            List<ArtifactRecord> artifacts = new ArrayList<>();
            List<String> dumpArgs = dumpArguments(db, session.snapshot(), options);
            try {
                switch (options.format()) {
                    case CUSTOM -> artifacts.add(dumpCustom(pending, pgDump, db, dumpArgs, options.codec(), base, counter));
                    case PLAIN -> artifacts.add(dumpPlain(pending, pgDump, db, dumpArgs, options.codec(), base, counter));
                    case DIRECTORY -> artifacts.addAll(dumpDirectory(pending, pgDump, db, dumpArgs, options, base, counter));
                }
            } catch (ArcaException e) {
                throw lockWaitOr(e, db, options.lockWaitTimeout());
            }
            long dumpMillis = millisSince(started);
            if (options.globals()) {
                Path pgDumpAll = binaries.require("pg_dumpall", server.major());
                tools.put("pg_dumpall", binaries.versionOf(pgDumpAll).toString());
                artifacts.add(dumpGlobals(pending, pgDumpAll, db, options.codec()));
            }
            progress.note("collecting row counts");
            var tables = counter.results();
            var info = new PostgresSection.DatabaseInfo(server.database(), server.host(), server.version(),
                    server.systemIdentifier(), server.encoding(), null, server.lsn(), null, options.countRows(),
                    tables, migration.join(), options.selection());
            Map<String, Long> timings = new LinkedHashMap<>();
            timings.put("dumpMillis", dumpMillis);
            timings.put("totalMillis", millisSince(started));
            return new BackupPart(PostgresSection.section(io.arca.postgres.manifest.BackupKind.LOGICAL, info, null,
                    artifacts), artifacts, tools, timings);
        }
    }

    /**
     * The failure of pg_dump as a lock wait that ran out, naming the table and the session that
     * held it, when that is why it failed; else {@code e} itself.
     */
    private static ArcaException lockWaitOr(ArcaException e, ConnectionSettings db, java.time.Duration waited) {
        if (e.code() != ErrorCode.TOOL_FAILED || !(e.getCause() instanceof ToolProcess.Output output)) {
            return e;
        }
        // Output's message is a header line, then the program's last standard error lines
        List<String> lines = output.getMessage().lines().skip(1).toList();
        List<String> relations = LockWaits.lockedRelations(lines);
        if (relations.isEmpty()) {
            return e;
        }
        return LockWaits.timedOut("pg_dump", relations, waited, LockWaits.holders(db, relations), e);
    }

    /** {@code no space left on device}, {@code access denied}: without the path, which the message names. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f) {
            return f.getReason() != null ? f.getReason() : e.getClass().getSimpleName().replace("Exception", "")
                    .replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
        }
        return String.valueOf(e.getMessage());
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** A file-name-safe form of the database name. */
    static String fileBase(String database) {
        String safe = database.replaceAll("[^A-Za-z0-9_.-]", "_");
        return safe.isEmpty() || safe.startsWith(".") ? "db" + safe : safe;
    }

    private static List<String> dumpArguments(ConnectionSettings db, String snapshot, LogicalBackupOptions o) {
        List<String> args = new ArrayList<>();
        args.add("--dbname=" + db.libpqConninfo());
        args.add("--no-password");
        args.add("--snapshot=" + snapshot);
        // without it pg_dump waits forever for a table that another session holds exclusively
        args.add("--lock-wait-timeout=" + o.lockWaitTimeout().toMillis());
        o.schemas().forEach(s -> args.add("--schema=" + s));
        o.tables().forEach(t -> args.add("--table=" + t));
        o.excludeTables().forEach(t -> args.add("--exclude-table=" + t));
        return args;
    }

    private ToolProcess startTool(Path program, List<String> args, ConnectionSettings db) {
        return ToolProcess.builder(program).args(args).environment(db.libpqEnvironment()).start();
    }

    private ArtifactRecord dumpCustom(PendingBackup pending, Path pgDump, ConnectionSettings db, List<String> common,
            CodecSpec codec, String base, RowCounter counter) {
        List<String> args = new ArrayList<>(common);
        args.add("--format=custom");
        args.add("--compress=0");
        String name = base + ".dump";
        List<SeekPoint> seekPoints = new ArrayList<>();
        return store(pending, pgDump, args, db, name, codec, "pg_dump", out -> {
            CustomArchiveScanner scanner = new CustomArchiveScanner(out, new CustomArchiveScanner.Listener() {
                @Override
                public void blockStarting(int dumpId, int blockType, long offset) throws IOException {
                    seekPoints.add(out.markSeekPoint("data:" + dumpId));
                }
            });
            return new Through(scanner, () -> {
                scanner.finish();
                countFromDump(scanner, counter);
            });
        }, (out, digest) -> ArtifactRecord.of(name, SOURCE, DumpFormat.CUSTOM.artifactFormat(), out, digest, seekPoints));
    }

    /**
     * The dump counts its own rows (see {@link ArchiveRowCounts}), in its own snapshot, at no cost
     * to the server; a table whose block cannot be counted so is counted with count(*) in the snapshot.
     */
    private static void countFromDump(CustomArchiveScanner scanner, RowCounter counter) {
        ArchiveRowCounts counts = ArchiveRowCounts.of(scanner);
        counts.counted().forEach(counter::counted);
        counts.uncounted().forEach(counter::add);
    }

    private ArtifactRecord dumpPlain(PendingBackup pending, Path pgDump, ConnectionSettings db, List<String> common,
            CodecSpec codec, String base, RowCounter counter) {
        List<String> args = new ArrayList<>(common);
        args.add("--format=plain");
        // The script drops what it creates (IF EXISTS), so 'arca restore --clean' can replay it.
        args.add("--clean");
        args.add("--if-exists");
        String name = base + ".sql";
        return store(pending, pgDump, args, db, name, codec, "pg_dump",
                out -> new Through(new PlainCopyScanner(out, counter::add), () -> { }),
                (out, digest) -> ArtifactRecord.of(name, SOURCE, DumpFormat.PLAIN.artifactFormat(), out, digest, List.of()));
    }

    private List<ArtifactRecord> dumpDirectory(PendingBackup pending, Path pgDump, ConnectionSettings db,
            List<String> common, LogicalBackupOptions o, String base, RowCounter counter) {
        Path staging;
        try {
            Files.createDirectories(o.stagingDirectory());
            staging = TempFiles.createPrivateDirectory(o.stagingDirectory(), "arca-dump-");
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.LOCAL_IO, "cannot create a staging directory in '" + o.stagingDirectory()
                    + "': " + reason(e), "pass --staging-dir with a writable directory that has free space", e);
        }
        String prefix = base + "." + DumpFormat.DIRECTORY.suffix() + "/";
        try {
            DirectoryDump dump = new DirectoryDump(pending, o.codec(), prefix);
            List<ArtifactRecord> records = dump.run(pgDump, common, db, o.jobs(), staging);
            if (dump.tables() == null) {
                throw new ArcaException(ErrorCode.TOOL_FAILED, "pg_dump wrote no toc.dat",
                        "run with --debug to see pg_dump's output");
            }
            dump.tables().forEach(counter::add);
            return records;
        } finally {
            TempFiles.deleteQuietly(staging);
        }
    }

    private ArtifactRecord dumpGlobals(PendingBackup pending, Path pgDumpAll, ConnectionSettings db, CodecSpec codec) {
        List<String> args = List.of("--dbname=" + db.libpqConninfo(), "--no-password", "--globals-only");
        String name = "globals.sql";
        return store(pending, pgDumpAll, args, db, name, codec, "pg_dumpall", out -> new Through(out, () -> { }),
                (out, digest) -> ArtifactRecord.of(name, GLOBALS_SOURCE, "sql", out, digest, List.of()));
    }

    /** What a dump's output passes through on its way into the artifact, and what to do once it ended well. */
    private record Through(OutputStream stream, IoAction complete) {
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private interface ThroughFactory {
        Through open(ArtifactOutput out);
    }

    /** The manifest record of a finished artifact. */
    private interface RecordFactory {
        ArtifactRecord record(ArtifactOutput out, ArtifactDigest digest);
    }

    /**
     * Runs a dump program and stores its standard output as the artifact {@code name} (its file
     * gets the codec's suffix, and .gpg when encrypted). The artifact is committed only after the
     * program exited successfully and the stream it passed through completed; any failure aborts it.
     */
    private ArtifactRecord store(PendingBackup pending, Path program, List<String> args, ConnectionSettings db,
            String name, CodecSpec codec, String what, ThroughFactory through, RecordFactory record) {
        ToolProcess tool = startTool(program, args, db);
        try (ArtifactOutput out = pending.openArtifact(name, codec)) {
            Through t = through.open(out);
            pump(tool, t.stream(), what);
            tool.waitForSuccess(what);
            t.complete().run();
            return record.record(out, out.finish());
        } catch (IOException e) {
            throw storageError(name, e);
        } finally {
            tool.destroy();
        }
    }

    /** Copies the tool's stdout into {@code out}, reporting progress. Does not close {@code out}. */
    private void pump(ToolProcess process, OutputStream out, String phase) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long done = 0;
        InputStream in = process.stdout();
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            done += n;
            progress.bytes(phase, done, -1);
        }
        progress.bytes(phase, done, -1);
    }

    private static ArcaException storageError(String file, IOException e) {
        return new ArcaException(ErrorCode.STORAGE_ACCESS, "writing '" + file + "' failed: " + e.getMessage(),
                "check that the repository is reachable and writable", e);
    }
}

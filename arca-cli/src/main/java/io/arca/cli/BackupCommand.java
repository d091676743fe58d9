package io.arca.cli;

import io.arca.app.backup.BackupRequest;
import io.arca.app.backup.BackupResult;
import io.arca.app.backup.BackupService;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.error.UsageException;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Labels;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.source.BackupSource;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.logical.DumpFormat;
import io.arca.postgres.logical.LogicalBackupOptions;
import io.arca.postgres.manifest.PostgresSection;
import io.arca.postgres.physical.PhysicalBackupOptions;
import java.nio.file.Path;
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

/** {@code arca backup}: a logical backup with pg_dump, or with --physical a base backup of the whole cluster. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back up a database with pg_dump, streamed into the repository.",
                "With --physical, back up the whole cluster over the replication protocol (Arca's own client, no"
                        + " pg_basebackup): one compressed tar per tablespace plus the server's backup_manifest, every"
                        + " file checked against it; the WAL the backup needs is streamed into the WAL archive"
                        + " (--wal stream, default) or awaited from archive_command (--wal archive). With --pgdata the"
                        + " files are read from the data directory itself.",
                "The password comes from PGPASSWORD, ARCA_DB_PASSWORD or ~/.pgpass, not from a flag.",
                "The rest of the application joins the same backup (one id, one manifest, one retention): Kubernetes"
                        + " objects, files and Qdrant collections, each with its own options below. Without --db, a"
                        + " backup of those alone. A failure of any part commits nothing.",
                "With --repo given more than once, the backup is taken once into the first repository and then"
                        + " copied into each further one (verified, manifest last); exit 3 if a copy fails.",
                "With --encrypt-to and/or --passphrase-file (or ARCA_PUBLIC_KEY / ARCA_PASSPHRASE) every artifact is"
                        + " encrypted (OpenPGP, AES-256); a repository made with 'arca init --encrypt-to' refuses a"
                        + " backup without exactly its keys.",
                "Every backup, successful or not, leaves a run record in each repository it opened (runs/, read by"
                        + " 'arca status' and metrics), under the subject --subject names."})
final class BackupCommand implements Callable<Integer> {
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

    @Option(names = "--db", paramLabel = "URL", defaultValue = "${env:ARCA_DB}",
            description = "Database to back up: postgresql://user@host:port/dbname (env ARCA_DB).")
    String db;

    @Option(names = "--subject", paramLabel = "NAME",
            description = "The subject this backup belongs to: recorded as the label subject=NAME and as the subject of"
                    + " its run record (default: the database's name; without --db, the first source's).")
    String subject;

    @Option(names = "--physical", description = "A physical (base) backup of the whole cluster, for point-in-time recovery.")
    boolean physical;

    @Option(names = "--wal", paramLabel = "MODE", defaultValue = "stream",
            description = "With --physical: stream (Arca streams the WAL the backup needs, holding it with a temporary"
                    + " replication slot) or archive (wait until the server's archive_command archived it).")
    String walMode;

    @Option(names = "--checkpoint", paramLabel = "fast|spread", defaultValue = "fast",
            description = "With --physical: start with an immediate checkpoint (fast, default) or a spread one"
                    + " that loads the server less.")
    String checkpoint;

    @Option(names = "--manifest-checksums", paramLabel = "ALGORITHM", defaultValue = "CRC32C",
            description = "With --physical: the server's per-file checksum in backup_manifest: CRC32C (default),"
                    + " SHA224, SHA256, SHA384 or SHA512.")
    String manifestChecksums;

    @Option(names = "--pgdata", paramLabel = "DIR",
            description = "With --physical: read the files straight from the server's data directory DIR instead of"
                    + " receiving them through its WAL sender, as pgBackRest does: faster, for an Arca on the database"
                    + " host (or sharing its volume) running as the server's user. The server still starts and stops"
                    + " the backup (pg_backup_start: a superuser or a granted user), the WAL is taken as --wal says,"
                    + " and Arca writes the backup_manifest.")
    java.nio.file.Path pgdata;

    @Option(names = "--archive-timeout", paramLabel = "DURATION", defaultValue = "5m",
            description = "With --physical --wal archive: how long to wait for archive_command (e.g. 60s, 5m).")
    String archiveTimeout;

    @Option(names = {"-F", "--format"}, paramLabel = "FORMAT", defaultValue = "custom",
            description = "pg_dump format: custom (default), plain or directory.")
    String format;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "1",
            description = "Parallel pg_dump workers (directory format).")
    int jobs;

    @Option(names = "--globals", description = "Also back up roles and tablespaces (pg_dumpall --globals-only).")
    boolean globals;

    @Option(names = {"-t", "--table"}, paramLabel = "PATTERN", description = "Only tables matching (pg_dump --table). Repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = {"-T", "--exclude-table"}, paramLabel = "PATTERN", description = "Leave out tables matching. Repeatable.")
    List<String> excludeTables = new ArrayList<>();

    @Option(names = {"-n", "--schema"}, paramLabel = "PATTERN", description = "Only schemas matching. Repeatable.")
    List<String> schemas = new ArrayList<>();

    @Option(names = "--no-row-counts", description = "Do not count rows per table (for huge databases).")
    boolean noRowCounts;

    @Option(names = "--lock-wait-timeout", paramLabel = "DURATION",
            description = "How long to wait for a table that another session holds exclusively (ALTER TABLE, LOCK"
                    + " TABLE, ...) before the backup fails naming the table and that session: pg_dump"
                    + " --lock-wait-timeout (default 5m, e.g. 30s, 1h).")
    String lockWaitTimeout;

    @Option(names = "--compression", paramLabel = "CODEC[:LEVEL]",
            description = "zstd, gzip, lz4 or none, with an optional level (default: the repository's; with --physical,"
                    + " zstd at level 1 when the repository's codec is zstd: server pages gain little from higher levels).")
    String compression;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Label recorded in the manifest. Repeatable"
            + " (up to 32; KEY: 1 to 63 letters, digits, '.', '_', '-', '/', not 'purpose'; VALUE: up to 256"
            + " characters, no control characters).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--staging-dir", paramLabel = "DIR", defaultValue = "${java.io.tmpdir}",
            description = "Where pg_dump -Fd writes files before they are stored (directory format; each file is removed once stored; with --jobs 1 only when pg_dump ends).")
    Path stagingDir;

    @Mixin
    PublicKeyOptions publicKeys;
    @Mixin
    PassphraseOptions passphrase;
    @Mixin
    HookFlags hookFlags;
    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() {
        List<SourceFlags.Selected> sources = SourceFlags.selected(spec, BackupSource::backupOptions,
                BackupSource::backupSelected);
        sources.forEach(s -> s.source().checkBackup(s.options()));
        boolean withDatabase = db != null && !db.isBlank();
        if (!withDatabase && sources.isEmpty()) {
            throw new UsageException("missing --db URL: the database to back up (or set ARCA_DB)"
                    + (SourceFlags.sources().all().isEmpty() ? "" : ", or what else to back up: "
                            + SourceFlags.selectingOptions(BackupSource::backupOptions)));
        }
        if (!withDatabase) {
            rejectDatabaseOptions();
        }
        if (physical && !sources.isEmpty()) {
            throw new UsageException("--physical backs up the cluster alone; back up "
                    + sources.stream().map(s -> s.source().title()).collect(java.util.stream.Collectors.joining(", "))
                    + " in a logical backup with it, or in a backup of their own");
        }
        if (jobs > 1 && !DumpFormat.parse(format).equals(DumpFormat.DIRECTORY)) {
            throw new UsageException("--jobs needs --format directory (pg_dump dumps in parallel only then)");
        }
        Labels.checkUserLabels(labels);
        ConnectionSettings settings = withDatabase ? ConnectionSettings.parse(db, System.getenv()) : null;
        // with --physical, bad values are refused before anything connects
        BackupRequest.Physical physicalOptions = null;
        if (physical) {
            rejectLogicalOptions();
            physicalOptions = new BackupRequest.Physical(checkpointFast(), PhysicalBackupOptions.WalMode.parse(walMode),
                    checksums(), stagingDir, DurationText.parse(archiveTimeout), pgdata);
        } else if (pgdata != null) {
            throw new UsageException("--pgdata needs --physical (a logical backup reads through pg_dump)");
        }
        java.time.Duration lockWait = lockWait();
        EncryptionKeys keys = Keys.encryption(publicKeys, passphrase);
        List<StorageUrl> urls = repository.urls();
        if (physical && urls.size() > 1) {
            // a copy would hold the backup's files but not the WAL archive it needs to become consistent
            throw new UsageException("--physical backs up into one repository; --repo was given " + urls.size()
                    + " times (off-site copies of physical backups and their WAL are not supported yet)");
        }
        BackupRequest request = new BackupRequest(urls, subject, settings,
                new BackupRequest.Logical(DumpFormat.parse(format), jobs, globals, tables, excludeTables, schemas,
                        !noRowCounts, stagingDir, lockWait, postgres.pgBin),
                physicalOptions, sources.stream().map(s -> new BackupRequest.Source(s.source(), s.options())).toList(),
                labels, compression != null ? CodecSpec.parse(compression) : null, keys, hookFlags.options("backup"));
        Labels.checkUserLabels(request.labels()); // --subject's value as a label
        ConsoleProgress progress = progressOptions.open(root.err);
        BackupResult result;
        try {
            result = Runs.record(root, BackupService.job(request), BackupService.subjectName(request),
                    ctx -> new BackupService(Clock.systemUTC()).run(request, ctx, progress));
        } finally {
            progress.done();
        }
        for (BackupResult.FailedCopy failed : result.failedCopies()) {
            Main.report(failed.exception(), root.debug(), root.err);
        }
        print(result.manifest(), urls);
        if (result.partialFailure() != null) {
            throw result.partialFailure();
        }
        return 0;
    }

    /** Database options are refused in a backup without --db, not silently ignored. */
    private void rejectDatabaseOptions() {
        List<String> given = new ArrayList<>();
        if (physical) {
            given.add("--physical");
        }
        if (pgdata != null) {
            given.add("--pgdata");
        }
        if (globals) {
            given.add("--globals");
        }
        if (!tables.isEmpty() || !excludeTables.isEmpty() || !schemas.isEmpty()) {
            given.add("--table/--exclude-table/--schema");
        }
        if (!format.equals("custom") || jobs != 1) {
            given.add("--format/--jobs");
        }
        if (!given.isEmpty()) {
            throw new UsageException(String.join(", ", given) + " need --db: the database to back up");
        }
    }

    /** Options that only a pg_dump backup knows are refused with --physical, not silently ignored. */
    private void rejectLogicalOptions() {
        List<String> given = new ArrayList<>();
        if (!format.equals("custom")) {
            given.add("--format");
        }
        if (jobs != 1) {
            given.add("--jobs");
        }
        if (globals) {
            given.add("--globals");
        }
        if (!tables.isEmpty() || !excludeTables.isEmpty() || !schemas.isEmpty()) {
            given.add("--table/--exclude-table/--schema");
        }
        if (noRowCounts) {
            given.add("--no-row-counts");
        }
        if (lockWaitTimeout != null) {
            given.add("--lock-wait-timeout");
        }
        if (!given.isEmpty()) {
            throw new UsageException(String.join(", ", given) + " cannot be combined with --physical:"
                    + " a physical backup holds the whole cluster");
        }
    }

    private java.time.Duration lockWait() {
        if (lockWaitTimeout == null) {
            return LogicalBackupOptions.DEFAULT_LOCK_WAIT_TIMEOUT;
        }
        java.time.Duration d = DurationText.parse(lockWaitTimeout);
        if (d.isZero() || d.compareTo(java.time.Duration.ofDays(1)) > 0) {
            throw new UsageException("invalid --lock-wait-timeout '" + lockWaitTimeout + "': give 1s to 24h (a backup"
                    + " never waits forever for a table), e.g. 30s, 5m or 1h");
        }
        return d;
    }

    private boolean checkpointFast() {
        return switch (checkpoint.toLowerCase(java.util.Locale.ROOT)) {
            case "fast" -> true;
            case "spread" -> false;
            default -> throw new UsageException("invalid --checkpoint '" + checkpoint + "': use fast or spread");
        };
    }

    private String checksums() {
        String c = manifestChecksums.toUpperCase(java.util.Locale.ROOT).replace("-", "");
        if (!List.of("CRC32C", "SHA224", "SHA256", "SHA384", "SHA512").contains(c)) {
            throw new UsageException("invalid --manifest-checksums '" + manifestChecksums
                    + "': use CRC32C, SHA224, SHA256, SHA384 or SHA512");
        }
        return c;
    }

    private void print(BackupManifest m, List<StorageUrl> urls) {
        if (output.json()) {
            Text.json(root.out, ListCommand.summary(m));
            return;
        }
        PostgresSection.Details details = PostgresSection.details(m);
        PostgresSection.PhysicalInfo p = details == null ? null : details.physical();
        if (p != null) {
            root.out.println("backup " + m.backupId() + " complete: physical, " + Text.bytes(m.size()) + " stored as "
                    + Text.bytes(m.storedSize()) + " in " + Text.duration(m.duration()) + " (WAL " + p.startLsn()
                    + " to " + p.stopLsn() + " on timeline " + p.timeline() + ", "
                    + (p.tablespaces().size() + 1) + " tablespace" + (p.tablespaces().isEmpty() ? "" : "s")
                    + ")" + (urls.size() > 1 ? " in " + urls.size() + " repositories" : ""));
            root.out.flush();
            return;
        }
        PostgresSection.DatabaseInfo db = details == null ? null : details.database();
        if (db == null || m.sections().size() > 1) {
            root.out.println("backup " + m.backupId() + " complete: " + Text.bytes(m.size()) + " stored as "
                    + Text.bytes(m.storedSize()) + " in " + Text.duration(m.duration()) + " (" + Sections.describe(m)
                    + ")" + (urls.size() > 1 ? " in " + urls.size() + " repositories" : ""));
            root.out.flush();
            return;
        }
        long rows = db.tables().stream().mapToLong(t -> t.rows() == null ? 0 : t.rows()).sum();
        root.out.println("backup " + m.backupId() + " complete: " + Text.bytes(m.size()) + " stored as "
                + Text.bytes(m.storedSize()) + " in " + Text.duration(m.duration()) + " ("
                + db.tables().size() + " tables" + (db.rowCounts() ? ", " + rows + " rows" : "") + ")"
                + (urls.size() > 1 ? " in " + urls.size() + " repositories" : ""));
        root.out.flush();
    }
}

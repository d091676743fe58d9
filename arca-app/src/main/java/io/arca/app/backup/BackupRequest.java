package io.arca.app.backup;

import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.error.UsageException;
import io.arca.core.hook.HookOptions;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Labels;
import io.arca.core.source.BackupSource;
import io.arca.core.source.SourceOptions;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.logical.DumpFormat;
import io.arca.postgres.logical.LogicalBackupOptions;
import io.arca.postgres.physical.PhysicalBackupOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One backup to take: what goes into it, where it goes, and how.
 *
 * @param repositories where it goes: taken into the first, then copied into each further one
 * @param subject the subject's name (its run records, metrics and the manifest's {@code subject}
 *     label), or null: then the {@code subject} label, else the database's name, else the first
 *     source's (see {@link BackupService#subjectName})
 * @param database the database to back up, or null for a backup of the other sources alone
 * @param logical how the database is dumped (null: {@link Logical#defaults()}); unused with {@code physical}
 * @param physical a base backup of the whole cluster instead of a dump, or null
 * @param sources the further sources that join the backup, each with its options
 * @param labels labels recorded in the manifest (the user's: {@link Labels} rules); with a
 *     {@code subject}, {@code subject=<subject>} is added
 * @param compression the artifacts' codec, or null for the repository's (for physical backups, its
 *     server-data variant)
 * @param keys what the artifacts are encrypted with, or null for none
 * @param hooks commands and health checks around the backup, or null for none
 */
public record BackupRequest(List<StorageUrl> repositories, String subject, ConnectionSettings database,
        Logical logical, Physical physical, List<Source> sources, Map<String, String> labels, CodecSpec compression,
        EncryptionKeys keys, HookOptions hooks) {
    /** The manifest label that names the subject a backup belongs to. */
    public static final String SUBJECT_LABEL = "subject";

    public BackupRequest {
        repositories = List.copyOf(repositories);
        sources = sources == null ? List.of() : List.copyOf(sources);
        hooks = hooks == null ? HookOptions.NONE : hooks;
        logical = logical == null ? Logical.defaults() : logical;
        Map<String, String> all = new LinkedHashMap<>(labels == null ? Map.of() : labels);
        if (subject != null) {
            String given = all.putIfAbsent(SUBJECT_LABEL, subject);
            if (given != null && !given.equals(subject)) {
                throw new UsageException("the subject '" + subject + "' and the label " + SUBJECT_LABEL + "=" + given
                        + " differ", "give the subject once: the subject is recorded as that label", null);
            }
        }
        labels = java.util.Collections.unmodifiableMap(all);
        if (repositories.isEmpty()) {
            throw new UsageException("a backup needs a repository");
        }
        if (database == null && sources.isEmpty()) {
            throw new UsageException("a backup needs a database or another source to back up");
        }
        if (physical != null && database == null) {
            throw new UsageException("a physical backup needs the database server to back up");
        }
        if (physical != null && !sources.isEmpty()) {
            throw new UsageException("a physical backup holds the cluster alone; back up the other sources in a"
                    + " logical backup with it, or in a backup of their own");
        }
        if (physical != null && repositories.size() > 1) {
            // a copy would hold the backup's files but not the WAL archive it needs to become consistent
            throw new UsageException("a physical backup goes into one repository, not " + repositories.size()
                    + " (off-site copies of physical backups and their WAL are not supported yet)");
        }
    }

    /** Whether this is a physical (base) backup. */
    public boolean isPhysical() {
        return physical != null;
    }

    /**
     * How a database is dumped (see {@link LogicalBackupOptions}).
     *
     * @param format the pg_dump format
     * @param jobs parallel pg_dump workers (directory format)
     * @param globals also back up roles and tablespaces
     * @param tables only tables matching these patterns
     * @param excludeTables leave out tables matching these
     * @param schemas only schemas matching these
     * @param countRows count every table's rows
     * @param stagingDirectory where pg_dump -Fd writes before files are stored
     * @param lockWaitTimeout how long to wait for a table another session holds (null: the default)
     * @param pgBin directories searched first for pg_dump and friends
     */
    public record Logical(DumpFormat format, int jobs, boolean globals, List<String> tables, List<String> excludeTables,
            List<String> schemas, boolean countRows, Path stagingDirectory, Duration lockWaitTimeout, List<Path> pgBin) {
        public Logical {
            Objects.requireNonNull(format, "format");
            tables = tables == null ? List.of() : List.copyOf(tables);
            excludeTables = excludeTables == null ? List.of() : List.copyOf(excludeTables);
            schemas = schemas == null ? List.of() : List.copyOf(schemas);
            pgBin = pgBin == null ? List.of() : List.copyOf(pgBin);
            stagingDirectory = stagingDirectory == null ? Path.of(System.getProperty("java.io.tmpdir"))
                    : stagingDirectory;
            if (jobs > 1 && format != DumpFormat.DIRECTORY) {
                throw new UsageException("parallel dump jobs need the directory format (pg_dump dumps in parallel"
                        + " only then)");
            }
        }

        /** Custom format, one job, no globals, no filters, row counts on. */
        public static Logical defaults() {
            return new Logical(DumpFormat.CUSTOM, 1, false, List.of(), List.of(), List.of(), true, null, null,
                    List.of());
        }
    }

    /**
     * How a base backup is taken (see {@link PhysicalBackupOptions}).
     *
     * @param fastCheckpoint start with an immediate checkpoint
     * @param walMode how the WAL the backup needs reaches the repository
     * @param manifestChecksums the server's per-file checksum in backup_manifest
     * @param spoolDirectory where streamed WAL waits before it is stored
     * @param archiveTimeout with {@link PhysicalBackupOptions.WalMode#ARCHIVE}: how long to wait for archive_command
     * @param dataDirectory read the files from this data directory instead of the WAL sender, or null
     */
    public record Physical(boolean fastCheckpoint, PhysicalBackupOptions.WalMode walMode, String manifestChecksums,
            Path spoolDirectory, Duration archiveTimeout, Path dataDirectory) {
        public Physical {
            walMode = walMode == null ? PhysicalBackupOptions.WalMode.STREAM : walMode;
            manifestChecksums = manifestChecksums == null ? "CRC32C" : manifestChecksums;
            spoolDirectory = spoolDirectory == null ? Path.of(System.getProperty("java.io.tmpdir")) : spoolDirectory;
            archiveTimeout = archiveTimeout == null ? Duration.ofMinutes(5) : archiveTimeout;
        }

        /** Fast checkpoint, WAL streamed, CRC32C, the temp directory as spool, 5 minutes for archive_command. */
        public static Physical defaults() {
            return new Physical(true, PhysicalBackupOptions.WalMode.STREAM, "CRC32C", null, null, null);
        }
    }

    /** A further source of the backup, with the values of its options. */
    public record Source(BackupSource source, SourceOptions options) {
        public Source {
            Objects.requireNonNull(source, "source");
            options = options == null ? SourceOptions.NONE : options;
        }
    }
}

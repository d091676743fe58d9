package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.error.UsageException;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.BackupManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@link LogicalBackup} does.
 *
 * @param format the dump format
 * @param jobs parallel {@code pg_dump} workers (directory format only)
 * @param globals also back up roles and tablespaces ({@code pg_dumpall --globals-only})
 * @param tables {@code pg_dump --table} patterns
 * @param excludeTables {@code pg_dump --exclude-table} patterns
 * @param schemas {@code pg_dump --schema} patterns
 * @param countRows count every table's rows in the dump's snapshot
 * @param codec compression of the artifacts
 * @param labels labels recorded in the manifest
 * @param stagingDirectory where {@code pg_dump -Fd} writes files before they are uploaded (directory
 *     format only; each file is removed once stored)
 * @param lockWaitTimeout how long the backup waits for a table another session holds exclusively
 *     ({@code pg_dump --lock-wait-timeout}, and {@code lock_timeout} of the snapshot session)
 *     before it fails naming the table and that session
 */
public record LogicalBackupOptions(DumpFormat format, int jobs, boolean globals, List<String> tables,
        List<String> excludeTables, List<String> schemas, boolean countRows, CodecSpec codec,
        Map<String, String> labels, Path stagingDirectory, Duration lockWaitTimeout) {

    /**
     * Long enough for a migration's brief {@code ALTER TABLE} to pass, short enough that a
     * backup stuck behind a session that never commits fails within minutes rather than holding
     * its lease (and blocking {@code prune}) for hours.
     */
    public static final Duration DEFAULT_LOCK_WAIT_TIMEOUT = Duration.ofMinutes(5);

    public LogicalBackupOptions {
        tables = List.copyOf(tables);
        excludeTables = List.copyOf(excludeTables);
        schemas = List.copyOf(schemas);
        labels = Map.copyOf(labels);
        if (jobs < 1) {
            throw new UsageException("--jobs must be at least 1");
        }
        lockWaitTimeout = lockWaitTimeout == null ? DEFAULT_LOCK_WAIT_TIMEOUT : lockWaitTimeout;
        // PostgreSQL takes lock_timeout and statement_timeout in milliseconds up to 2^31 - 1 (24.8 days)
        if (lockWaitTimeout.toMillis() < 1 || lockWaitTimeout.compareTo(Duration.ofDays(24)) > 0) {
            throw new UsageException("the lock wait timeout must be 1ms to 24 days, got " + lockWaitTimeout);
        }
    }

    /** As the canonical constructor with the {@linkplain #DEFAULT_LOCK_WAIT_TIMEOUT default lock wait}. */
    public LogicalBackupOptions(DumpFormat format, int jobs, boolean globals, List<String> tables,
            List<String> excludeTables, List<String> schemas, boolean countRows, CodecSpec codec,
            Map<String, String> labels, Path stagingDirectory) {
        this(format, jobs, globals, tables, excludeTables, schemas, countRows, codec, labels, stagingDirectory, null);
    }

    /** Custom format, no filters, row counts on, the given codec. */
    public static LogicalBackupOptions defaults(CodecSpec codec) {
        return new LogicalBackupOptions(DumpFormat.CUSTOM, 1, false, List.of(), List.of(), List.of(), true, codec,
                Map.of(), Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** The filters as the manifest records them; null when the whole database is dumped. */
    public PostgresSection.Selection selection() {
        return PostgresSection.Selection.of(schemas, tables, excludeTables);
    }

    public LogicalBackupOptions withLabels(Map<String, String> newLabels) {
        return new LogicalBackupOptions(format, jobs, globals, tables, excludeTables, schemas, countRows, codec,
                newLabels, stagingDirectory, lockWaitTimeout);
    }

    public LogicalBackupOptions withLockWaitTimeout(Duration timeout) {
        return new LogicalBackupOptions(format, jobs, globals, tables, excludeTables, schemas, countRows, codec,
                labels, stagingDirectory, timeout);
    }
}

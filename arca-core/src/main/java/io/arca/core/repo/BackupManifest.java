package io.arca.core.repo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}: the description and commit marker of one backup. It is written last; a
 * backup folder without one is incomplete and never listed as restorable.
 *
 * @param formatVersion repository format version
 * @param backupId the backup's id
 * @param repositoryId the id of the repository it was written to
 * @param kind logical or physical
 * @param startedAt when the backup started
 * @param finishedAt when the manifest was written
 * @param labels free-form labels; {@code purpose=safety} marks safety backups taken before restores
 * @param tools versions of the programs involved ({@code arca}, {@code pg_dump}, ...)
 * @param database the database that was backed up
 * @param artifacts what the backup holds
 * @param timings named phase durations in milliseconds
 */
public record BackupManifest(int formatVersion, String backupId, String repositoryId, BackupKind kind,
        Instant startedAt, Instant finishedAt, Map<String, String> labels, Map<String, String> tools,
        DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings) {

    public BackupManifest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        artifacts = List.copyOf(artifacts);
        timings = timings == null ? Map.of() : Map.copyOf(timings);
    }

    public BackupId id() {
        return new BackupId(backupId);
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /** Plain bytes over all artifacts. */
    public long size() {
        return artifacts.stream().mapToLong(ArtifactRecord::size).sum();
    }

    /** Stored bytes over all artifacts. */
    public long storedSize() {
        return artifacts.stream().mapToLong(ArtifactRecord::storedSize).sum();
    }

    /**
     * What was backed up: one PostgreSQL database.
     *
     * @param name database name
     * @param host host and port it was read from
     * @param serverVersion the server's {@code server_version}
     * @param systemIdentifier the cluster's system identifier
     * @param encoding the database encoding
     * @param timeline timeline (physical backups; null for logical)
     * @param startLsn start LSN (physical; for logical, the server's LSN at the snapshot)
     * @param stopLsn stop LSN (physical), or null
     * @param rowCounts whether {@code tables} carry exact row counts
     * @param tables every table that was dumped, with its row count in the dump's snapshot
     * @param migration the schema migration version, when a Flyway, Liquibase or Alembic table exists
     */
    public record DatabaseInfo(String name, String host, String serverVersion, String systemIdentifier, String encoding,
            Integer timeline, String startLsn, String stopLsn, boolean rowCounts, List<TableInfo> tables,
            MigrationInfo migration) {
        public DatabaseInfo {
            tables = tables == null ? List.of() : List.copyOf(tables);
        }
    }

    /** A table and its exact row count (null when counting was turned off). */
    public record TableInfo(String schema, String name, Long rows) {
    }

    /** The migration tool and the version of the last applied migration. */
    public record MigrationInfo(String tool, String version) {
    }
}

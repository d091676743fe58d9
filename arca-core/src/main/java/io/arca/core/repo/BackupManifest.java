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
        DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings, PhysicalInfo physical) {

    public BackupManifest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        artifacts = List.copyOf(artifacts);
        timings = timings == null ? Map.of() : Map.copyOf(timings);
    }

    /** A manifest without physical details (logical backups). */
    public BackupManifest(int formatVersion, String backupId, String repositoryId, BackupKind kind,
            Instant startedAt, Instant finishedAt, Map<String, String> labels, Map<String, String> tools,
            DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings) {
        this(formatVersion, backupId, repositoryId, kind, startedAt, finishedAt, labels, tools, database, artifacts,
                timings, null);
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

    /**
     * What a physical (base) backup needs for recovery, besides its artifacts.
     *
     * @param systemIdentifier the cluster's system identifier (unsigned decimal)
     * @param timeline the timeline the backup started on
     * @param startLsn the backup's start (redo) position: recovery needs WAL from here
     * @param stopLsn where the backup ended: recovery is consistent once it replayed to here
     * @param startWal the WAL segment holding {@code startLsn}
     * @param stopWal the WAL segment holding {@code stopLsn}
     * @param walSegmentSize the cluster's WAL segment size in bytes
     * @param serverVersionNum the server's {@code server_version_num}
     * @param stopTime when the server reported the backup's end: a recovery target time must be later
     * @param walMode how the backup's own WAL reached the archive: {@code stream} (Arca streamed it
     *     during the backup) or {@code archive} (the server's {@code archive_command})
     * @param tablespaces the user tablespaces, each with the artifact holding it
     * @param manifestArtifact the artifact holding the server's {@code backup_manifest}
     * @param manifestChecksums the per-file checksum algorithm in that manifest
     */
    public record PhysicalInfo(String systemIdentifier, int timeline, String startLsn, String stopLsn,
            String startWal, String stopWal, long walSegmentSize, int serverVersionNum, Instant stopTime,
            String walMode, List<TablespaceInfo> tablespaces, String manifestArtifact, String manifestChecksums) {
        public PhysicalInfo {
            tablespaces = tablespaces == null ? List.of() : List.copyOf(tablespaces);
        }
    }

    /** A user tablespace of a physical backup: its OID, where it was, and the artifact holding it. */
    public record TablespaceInfo(long oid, String location, String artifact) {
    }

    /** The migration tool and the version of the last applied migration. */
    public record MigrationInfo(String tool, String version) {
    }
}

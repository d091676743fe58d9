package io.arca.core.repo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * @param physical what a physical backup needs for recovery; null for logical backups
 * @param requiredEncryption the encryption {@code arca.json} required when the manifest was written
 *     (see {@link EncryptionHistory}); null in manifests written before Arca recorded it
 */
public record BackupManifest(int formatVersion, String backupId, String repositoryId, BackupKind kind,
        Instant startedAt, Instant finishedAt, Map<String, String> labels, Map<String, String> tools,
        DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings, PhysicalInfo physical,
        RequiredEncryption requiredEncryption) {

    public BackupManifest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        artifacts = List.copyOf(artifacts);
        timings = timings == null ? Map.of() : Map.copyOf(timings);
    }

    /** A manifest that records no encryption requirement. */
    public BackupManifest(int formatVersion, String backupId, String repositoryId, BackupKind kind,
            Instant startedAt, Instant finishedAt, Map<String, String> labels, Map<String, String> tools,
            DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings, PhysicalInfo physical) {
        this(formatVersion, backupId, repositoryId, kind, startedAt, finishedAt, labels, tools, database, artifacts,
                timings, physical, null);
    }

    /** A manifest without physical details (logical backups). */
    public BackupManifest(int formatVersion, String backupId, String repositoryId, BackupKind kind,
            Instant startedAt, Instant finishedAt, Map<String, String> labels, Map<String, String> tools,
            DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings) {
        this(formatVersion, backupId, repositoryId, kind, startedAt, finishedAt, labels, tools, database, artifacts,
                timings, null);
    }

    /**
     * Whether the backup holds the whole database (or cluster): not taken with table or schema
     * filters. Only full backups become {@code latest} of a full restore and count for an RPO.
     * Manifests written before Arca recorded filters read as full.
     */
    public boolean full() {
        return database == null || database.selection() == null || database.selection().everything();
    }

    /** The opposite of {@link #full()}: a backup of some tables or schemas only. */
    public boolean partial() {
        return !full();
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
     * @param selection the filters that chose part of the database; null when the whole database was
     *     backed up (and in manifests written before Arca recorded filters)
     */
    public record DatabaseInfo(String name, String host, String serverVersion, String systemIdentifier, String encoding,
            Integer timeline, String startLsn, String stopLsn, boolean rowCounts, List<TableInfo> tables,
            MigrationInfo migration, Selection selection) {
        public DatabaseInfo {
            tables = tables == null ? List.of() : List.copyOf(tables);
        }

        /** The whole database. */
        public DatabaseInfo(String name, String host, String serverVersion, String systemIdentifier, String encoding,
                Integer timeline, String startLsn, String stopLsn, boolean rowCounts, List<TableInfo> tables,
                MigrationInfo migration) {
            this(name, host, serverVersion, systemIdentifier, encoding, timeline, startLsn, stopLsn, rowCounts, tables,
                    migration, null);
        }
    }

    /**
     * The {@code pg_dump} filters a partial backup was taken with; a backup with any of them holds
     * part of the database.
     *
     * @param schemas {@code --schema} patterns
     * @param tables {@code --table} patterns
     * @param excludeTables {@code --exclude-table} patterns
     */
    public record Selection(List<String> schemas, List<String> tables, List<String> excludeTables) {
        public Selection {
            schemas = schemas == null ? List.of() : List.copyOf(schemas);
            tables = tables == null ? List.of() : List.copyOf(tables);
            excludeTables = excludeTables == null ? List.of() : List.copyOf(excludeTables);
        }

        /** The selection of these filters, or null (the whole database) when there are none. */
        public static Selection of(List<String> schemas, List<String> tables, List<String> excludeTables) {
            Selection s = new Selection(schemas, tables, excludeTables);
            return s.everything() ? null : s;
        }

        /** True when no filter is set. */
        public boolean everything() {
            return schemas.isEmpty() && tables.isEmpty() && excludeTables.isEmpty();
        }

        /** The filters as the flags that set them: {@code --table users --exclude-table logs}. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            schemas.forEach(p -> parts.add("--schema " + p));
            tables.forEach(p -> parts.add("--table " + p));
            excludeTables.forEach(p -> parts.add("--exclude-table " + p));
            return String.join(" ", parts);
        }
    }

    /**
     * What {@code arca.json} required of every backup's encryption when a manifest was written. Names
     * public key fingerprints only; {@link #passphraseCheckSha256} is the SHA-256 of the repository's
     * passphrase check message (itself public in {@code arca.json}), so that a swapped passphrase shows.
     *
     * @param recipients the fingerprints every artifact had to be encrypted to
     * @param passphrase whether every artifact had to be encrypted with the repository's passphrase
     * @param passphraseCheckSha256 hex SHA-256 of the passphrase check, or null without a passphrase
     */
    public record RequiredEncryption(List<String> recipients, boolean passphrase, String passphraseCheckSha256) {
        /** No encryption required. */
        public static final RequiredEncryption NONE = new RequiredEncryption(List.of(), false, null);

        public RequiredEncryption {
            recipients = recipients == null ? List.of() : List.copyOf(recipients);
        }

        /** The requirement of {@code arca.json}'s encryption section (null: none required). */
        public static RequiredEncryption of(RepositoryConfig.Encryption encryption) {
            if (encryption == null) {
                return NONE;
            }
            String check = null;
            if (encryption.passphraseCheck() != null) {
                java.security.MessageDigest digest = io.arca.core.pipeline.Sha256.newDigest();
                digest.update(encryption.passphraseCheck().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                check = io.arca.core.pipeline.Sha256.hex(digest);
            }
            return new RequiredEncryption(encryption.fingerprints(), encryption.passphrase(), check);
        }

        /** Whether anything is required. */
        public boolean required() {
            return !recipients.isEmpty() || passphrase;
        }

        /** For messages: {@code no encryption}, {@code encryption to A, B and the passphrase}. */
        public String describe() {
            if (!required()) {
                return "no encryption";
            }
            String to = recipients.isEmpty() ? "" : "to " + String.join(", ", recipients);
            return "encryption " + to + (passphrase ? (to.isEmpty() ? "" : " and ") + "with the passphrase" : "");
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

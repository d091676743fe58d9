package io.arca.core.repo;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.arca.core.source.BackupPart;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code manifest.json}: the description and commit marker of one backup. It is written last; a
 * backup folder without one is incomplete and never listed as restorable.
 *
 * <p>Format 2 is source-neutral: one {@link Section} per source that took part (a PostgreSQL
 * database, a Kubernetes namespace, files, a Qdrant collection), each with its subject, its
 * artifacts and its own typed details. Format 1 manifests (one PostgreSQL database, {@code kind},
 * {@code database}, {@code physical}) are read as format 2 by {@link ManifestFormat}; nothing ever
 * rewrites them.
 *
 * @param formatVersion manifest format version ({@link #FORMAT_VERSION} when written by this Arca)
 * @param backupId the backup's id (JSON {@code id}; {@code backupId} in format 1)
 * @param repositoryId the id of the repository it was written to
 * @param subjects what was backed up: the subjects of the sections, each once
 * @param startedAt when the backup started
 * @param finishedAt when the manifest was written
 * @param labels free-form labels; {@code purpose=safety} marks safety backups taken before restores
 * @param tools versions of the programs involved ({@code arca}, {@code pg_dump}, ...)
 * @param sections one per source (and subject) that took part
 * @param artifacts what the backup holds
 * @param parents the backups this one builds on (incremental chains); empty for a self-contained backup
 * @param timings named phase durations in milliseconds
 * @param requiredEncryption the encryption {@code arca.json} required when the manifest was written
 *     (see {@link EncryptionHistory}); null in manifests written before Arca recorded it
 */
@com.fasterxml.jackson.annotation.JsonPropertyOrder({"formatVersion", "id", "repositoryId", "subjects", "startedAt",
        "finishedAt", "labels", "tools", "sections", "artifacts", "parents", "timings", "requiredEncryption"})
public record BackupManifest(int formatVersion, @JsonProperty("id") String backupId, String repositoryId,
        List<Subject> subjects, Instant startedAt, Instant finishedAt, Map<String, String> labels,
        Map<String, String> tools, List<Section> sections, List<ArtifactRecord> artifacts, List<String> parents,
        Map<String, Long> timings, RequiredEncryption requiredEncryption) {
    /** The manifest format this Arca writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 2;
    /** The label that marks safety backups (taken before a restore replaced a database). */
    public static final String PURPOSE_LABEL = "purpose";
    /** {@link #PURPOSE_LABEL}'s value on safety backups. */
    public static final String SAFETY = "safety";

    public BackupManifest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        sections = sections == null ? List.of() : List.copyOf(sections);
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        parents = parents == null ? List.of() : List.copyOf(parents);
        timings = timings == null ? Map.of() : Map.copyOf(timings);
        if (subjects == null || subjects.isEmpty()) {
            subjects = sections.stream().map(Section::subject).filter(java.util.Objects::nonNull).distinct().toList();
        } else {
            subjects = List.copyOf(subjects);
        }
    }

    /** A new manifest's content, for {@link Repository.PendingBackup#commit(Builder)}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether the backup holds the whole of each subject: no section is {@linkplain Section#partial()
     * partial}. Only full backups become {@code latest} of a full restore and count for an RPO.
     */
    public boolean full() {
        return sections.stream().noneMatch(Section::partial);
    }

    /** The opposite of {@link #full()}: some section holds only part of its subject (table or schema filters). */
    public boolean partial() {
        return !full();
    }

    /** Whether this is a safety backup, taken before a restore replaced a database (never {@code latest}). */
    public boolean safety() {
        return SAFETY.equals(labels.get(PURPOSE_LABEL));
    }

    /** The first section written by source {@code id}. */
    public Optional<Section> section(String id) {
        return sections.stream().filter(s -> s.source().equals(id)).findFirst();
    }

    /** Whether a section of source {@code id} is in this backup. */
    public boolean has(String id) {
        return section(id).isPresent();
    }

    /** The artifacts a section holds, in manifest order. */
    public List<ArtifactRecord> artifactsOf(Section section) {
        return artifacts.stream().filter(a -> section.artifacts().contains(a.name())).toList();
    }

    /**
     * The series this backup belongs to, for retention: its sources and their subjects'
     * {@linkplain Subject#identity() identities}, sorted (a backup of a database and a namespace
     * together is one series; the database alone another).
     */
    public String series() {
        return sections.stream().map(s -> s.source() + "@" + (s.subject() == null ? "" : s.subject().identity()))
                .sorted().distinct().collect(java.util.stream.Collectors.joining(" "));
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
     * The content of a manifest being built; {@link Repository.PendingBackup#commit(Builder)} adds
     * the id, repository, times and encryption requirement.
     */
    public static final class Builder {
        private final Map<String, String> labels = new java.util.LinkedHashMap<>();
        private final Map<String, String> tools = new java.util.LinkedHashMap<>();
        private final List<Section> sections = new ArrayList<>();
        private final List<ArtifactRecord> artifacts = new ArrayList<>();
        private final List<String> parents = new ArrayList<>();
        private final Map<String, Long> timings = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        public Builder labels(Map<String, String> values) {
            labels.putAll(values);
            return this;
        }

        public Builder tool(String name, String version) {
            tools.put(name, version);
            return this;
        }

        public Builder tools(Map<String, String> values) {
            tools.putAll(values);
            return this;
        }

        public Builder timing(String name, long millis) {
            timings.put(name, millis);
            return this;
        }

        public Builder timings(Map<String, Long> values) {
            timings.putAll(values);
            return this;
        }

        /** Adds one source's part: its section, artifacts, tools and timings. */
        public Builder part(BackupPart part) {
            sections.add(part.section());
            artifacts.addAll(part.artifacts());
            tools.putAll(part.tools());
            timings.putAll(part.timings());
            return this;
        }

        public Builder parent(String backupId) {
            parents.add(backupId);
            return this;
        }

        BackupManifest build(String id, String repositoryId, Instant startedAt, Instant finishedAt,
                RequiredEncryption encryption) {
            return new BackupManifest(FORMAT_VERSION, id, repositoryId, null, startedAt, finishedAt, labels, tools,
                    sections, artifacts, parents, timings, encryption);
        }
    }

    // ---- bridge to the PostgreSQL-shaped format 1 API (moves to arca-postgres) ----

    /** The PostgreSQL details of this backup's database section, if it has one. */
    private Optional<PostgresBridge> postgres() {
        return sections.stream().filter(s -> s.source().startsWith("postgresql."))
                .findFirst().map(s -> s.details(PostgresBridge.class));
    }

    /** Bridge: logical or physical, from the PostgreSQL section; null without one. */
    public BackupKind kind() {
        return has("postgresql.physical") ? BackupKind.PHYSICAL : has("postgresql.logical") ? BackupKind.LOGICAL : null;
    }

    /** Bridge: the database section's database. */
    public DatabaseInfo database() {
        return postgres().map(PostgresBridge::database).orElse(null);
    }

    /** Bridge: the database section's physical details. */
    public PhysicalInfo physical() {
        return postgres().map(PostgresBridge::physical).orElse(null);
    }

    /** Bridge: the details of a PostgreSQL section. */
    public record PostgresBridge(DatabaseInfo database, PhysicalInfo physical) {
    }

    /** Bridge: the section a format 1 PostgreSQL manifest had. */
    public static Section postgresSection(BackupKind kind, DatabaseInfo database, PhysicalInfo physical,
            List<ArtifactRecord> artifacts) {
        String host = database == null || database.host() == null ? "" : database.host();
        String name = database == null || database.name() == null ? "" : database.name();
        boolean partial = database != null && database.selection() != null && !database.selection().everything();
        return Section.of("postgresql." + kind.id(), Subject.of("postgresql", host, name),
                artifacts.stream().map(ArtifactRecord::name).toList(), partial, new PostgresBridge(database, physical));
    }

    /** Bridge: format 1's positional constructor. */
    public BackupManifest(int formatVersion, String backupId, String repositoryId, BackupKind kind,
            Instant startedAt, Instant finishedAt, Map<String, String> labels, Map<String, String> tools,
            DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings, PhysicalInfo physical,
            RequiredEncryption requiredEncryption) {
        this(formatVersion, backupId, repositoryId, null, startedAt, finishedAt, labels, tools,
                List.of(postgresSection(kind, database, physical, artifacts)), artifacts, null, timings,
                requiredEncryption);
    }

    /** Bridge: a manifest that records no encryption requirement. */
    public BackupManifest(int formatVersion, String backupId, String repositoryId, BackupKind kind,
            Instant startedAt, Instant finishedAt, Map<String, String> labels, Map<String, String> tools,
            DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings, PhysicalInfo physical) {
        this(formatVersion, backupId, repositoryId, kind, startedAt, finishedAt, labels, tools, database, artifacts,
                timings, physical, null);
    }

    /** Bridge: a manifest without physical details (logical backups). */
    public BackupManifest(int formatVersion, String backupId, String repositoryId, BackupKind kind,
            Instant startedAt, Instant finishedAt, Map<String, String> labels, Map<String, String> tools,
            DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings) {
        this(formatVersion, backupId, repositoryId, kind, startedAt, finishedAt, labels, tools, database, artifacts,
                timings, null);
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

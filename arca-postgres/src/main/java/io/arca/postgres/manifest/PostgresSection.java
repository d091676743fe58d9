package io.arca.postgres.manifest;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL sections of a manifest ({@code postgresql.logical}, {@code postgresql.physical}):
 * their details, typed, and how to read them from a {@link BackupManifest}. The subject of a
 * PostgreSQL section is {@code postgresql://<host:port>/<database>} (no database for a physical
 * backup, which holds the whole cluster). The details are {@link Details}: what format 1 manifests
 * had at their top as {@code database} and {@code physical}, unchanged, so that
 * {@code ManifestFormat} reads a format 1 manifest by moving them.
 */
public final class PostgresSection {
    private PostgresSection() {
    }

    /**
     * The details of a PostgreSQL section.
     *
     * @param database the database (or cluster) that was backed up
     * @param physical what a physical backup needs for recovery; null for logical backups
     */
    public record Details(DatabaseInfo database, PhysicalInfo physical) {
    }

    /** The backup's PostgreSQL section, if it has one. */
    public static Optional<Section> of(BackupManifest m) {
        return m.sections().stream().filter(s -> BackupKind.of(s.source()) != null).findFirst();
    }

    /** The details of the backup's PostgreSQL section, or null without one. */
    public static Details details(BackupManifest m) {
        return of(m).map(s -> s.details(Details.class)).orElse(null);
    }

    /** The database the backup holds, or null when it holds none. */
    public static DatabaseInfo database(BackupManifest m) {
        Details d = details(m);
        return d == null ? null : d.database();
    }

    /** What a physical backup needs for recovery, or null when the backup is not one. */
    public static PhysicalInfo physical(BackupManifest m) {
        Details d = details(m);
        return d == null ? null : d.physical();
    }

    /** Logical or physical, or null when the backup holds no PostgreSQL section. */
    public static BackupKind kind(BackupManifest m) {
        return of(m).map(s -> BackupKind.of(s.source())).orElse(null);
    }

    /** The subject of a database (or, with a null name, a cluster) read from {@code host}. */
    public static Subject subject(String host, String name) {
        return Subject.of("postgresql", host == null ? "" : host, name == null ? "" : name);
    }

    /** The section of a PostgreSQL backup of {@code kind} holding {@code artifacts}. */
    public static Section section(BackupKind kind, DatabaseInfo database, PhysicalInfo physical,
            List<ArtifactRecord> artifacts) {
        boolean partial = database != null && database.selection() != null && !database.selection().everything();
        return Section.of(kind.source(), subject(database == null ? null : database.host(),
                database == null ? null : database.name()), artifacts.stream().map(ArtifactRecord::name).toList(),
                partial, new Details(database, physical));
    }

    /**
     * {@link Repository#resolve} for commands that handle one kind of backup: {@code latest} is the
     * newest full backup of that kind, and an id of another kind is refused with a hint.
     *
     * @param before with {@code latest}/{@code latest~N}: count only the backups started before it (null: all)
     */
    public static BackupManifest resolve(Repository repository, String ref, BackupKind kind, Instant before) {
        BackupManifest m = repository.resolve(ref, b -> kind(b) == kind, kind.id() + " backup", before);
        if (kind(m) != kind) {
            BackupKind other = kind(m);
            throw new ArcaException(ErrorCode.USAGE, "backup " + m.backupId() + " is "
                    + (other == null ? "not a PostgreSQL backup (it holds " + m.subjects() + ")"
                            : "a " + other.id() + " backup"),
                    other == BackupKind.PHYSICAL ? "restore it with 'arca restore --physical " + m.backupId()
                            + " --pgdata DIR'" : other == BackupKind.LOGICAL ? "restore it without --physical"
                            : "restore its parts with their own options (see 'arca restore --help')");
        }
        return m;
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

package io.arca.postgres.manifest;

import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Manifests of PostgreSQL backups for tests, and copies of real ones with a part replaced. */
public final class TestBackups {
    private TestBackups() {
    }

    /** A manifest with one PostgreSQL section of {@code kind} and no artifacts. */
    public static BackupManifest manifest(String id, BackupKind kind, Instant start, Instant finish,
            PostgresSection.DatabaseInfo database, PostgresSection.PhysicalInfo physical) {
        return new BackupManifest(BackupManifest.FORMAT_VERSION, id, "repo", null, start, finish, Map.of(), Map.of(),
                List.of(PostgresSection.section(kind, database, physical, List.of())), List.of(), null, null, null);
    }

    /** {@code m} with its PostgreSQL section's database replaced. */
    public static BackupManifest withDatabase(BackupManifest m, PostgresSection.DatabaseInfo database) {
        var section = PostgresSection.section(PostgresSection.kind(m), database, PostgresSection.physical(m),
                m.artifacts());
        return new BackupManifest(m.formatVersion(), m.backupId(), m.repositoryId(), m.subjects(), m.startedAt(),
                m.finishedAt(), m.labels(), m.tools(), List.of(section), m.artifacts(), m.parents(), m.timings(),
                m.requiredEncryption());
    }

    /** {@code m} with other artifacts (of the same names). */
    public static BackupManifest withArtifacts(BackupManifest m, List<ArtifactRecord> artifacts) {
        return new BackupManifest(m.formatVersion(), m.backupId(), m.repositoryId(), m.subjects(), m.startedAt(),
                m.finishedAt(), m.labels(), m.tools(), m.sections(), artifacts, m.parents(), m.timings(),
                m.requiredEncryption());
    }
}

package io.arca.core.repo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.source.BackupPart;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Manifests for core tests, shaped as PostgreSQL backups write them (core does not know the
 * PostgreSQL types: the details are written as JSON).
 */
public final class TestManifests {
    public static final String LOGICAL = "postgresql.logical";
    public static final String PHYSICAL = "postgresql.physical";

    private TestManifests() {
    }

    /**
     * A section of {@code source} over {@code artifacts}: subject {@code postgresql://db:5432/<database>}
     * (no database: the cluster), details {@code {database: {name, host}}}.
     */
    public static Section section(String source, String database, boolean partial, List<ArtifactRecord> artifacts) {
        ObjectNode details = RepositoryJson.mapper().createObjectNode();
        ObjectNode db = details.putObject("database");
        if (database != null) {
            db.put("name", database);
        }
        db.put("host", "db:5432");
        return new Section(source, Subject.of("postgresql", "db:5432", database == null ? "" : database),
                artifacts.stream().map(ArtifactRecord::name).toList(), partial, details);
    }

    /** The content of a logical backup of database {@code app} holding {@code artifacts}. */
    public static BackupManifest.Builder content(Map<String, String> labels, List<ArtifactRecord> artifacts) {
        return BackupManifest.builder().labels(labels).tool("arca", "test")
                .part(new BackupPart(section(LOGICAL, "app", false, artifacts), artifacts, null, null));
    }

    /** A manifest as format 2 has it, with one section. */
    public static BackupManifest manifest(String source, String id, String repositoryId, String database,
            boolean partial, Instant start, Instant finish, Map<String, String> labels, List<ArtifactRecord> artifacts,
            BackupManifest.RequiredEncryption encryption) {
        return new BackupManifest(BackupManifest.FORMAT_VERSION, id, repositoryId, null, start, finish, labels,
                Map.of("arca", "test"), List.of(section(source, database, partial, artifacts)), artifacts, null, null,
                encryption);
    }
}

package io.arca.app.backup;

import io.arca.core.repo.BackupManifest;
import io.arca.postgres.manifest.PostgresSection;

/**
 * Which subject a backup belongs to: its {@code subject} label (backups taken with a subject name),
 * else the name of its database, else the name of its first section's subject. The rule by which
 * prune and copy select the backups of one subject.
 */
public final class BackupSubjects {
    private BackupSubjects() {
    }

    /** The subject's name of backup {@code m}; empty when it has none. */
    public static String of(BackupManifest m) {
        String label = m.labels().get(BackupRequest.SUBJECT_LABEL);
        if (label != null) {
            return label;
        }
        PostgresSection.DatabaseInfo db = PostgresSection.database(m);
        if (db != null && db.name() != null) {
            return db.name();
        }
        return m.subjects().isEmpty() ? "" : m.subjects().get(0).name();
    }

    /** Whether backup {@code m} belongs to subject {@code name}. */
    public static boolean matches(BackupManifest m, String name) {
        return of(m).equals(name);
    }
}

package io.arca.app.catalog;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.status.RecoveryStatus;
import io.arca.core.source.Section;
import io.arca.postgres.manifest.PostgresSection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subject a backup belongs to, as status, metrics, the API and run records name it: the
 * backup's {@code subject} label when it has one (a backup taken with {@code --subject app}, or by
 * the server for subject {@code app}), else the subjects of its sections (a database's name).
 */
public final class SubjectNames {
    /** The manifest label that names a backup's subject. */
    public static final String LABEL = "subject";

    private SubjectNames() {
    }

    /** The names a backup counts for: its label, else each section's ({@link RecoveryStatus#nameOf}). */
    public static Set<String> of(BackupManifest backup) {
        String label = backup.labels().get(LABEL);
        if (label != null && !label.isBlank()) {
            return Set.of(label);
        }
        return RecoveryStatus.Grouping.BY_SECTION.namesOf(backup);
    }

    /** Whether {@code backup} counts for {@code subject}. */
    public static boolean holds(BackupManifest backup, String subject) {
        return of(backup).contains(subject);
    }

    /**
     * The one name a run for this backup records when none was given: its label, else its
     * database's name, else its first section's subject's name (or host), else {@code *}.
     */
    public static String primary(BackupManifest backup) {
        String label = backup.labels().get(LABEL);
        if (label != null && !label.isBlank()) {
            return label;
        }
        PostgresSection.DatabaseInfo db = PostgresSection.database(backup);
        if (db != null && db.name() != null && !db.name().isEmpty()) {
            return db.name();
        }
        for (Section s : backup.sections()) {
            if (s.subject() != null && !s.subject().name().isEmpty()) {
                return s.subject().name();
            }
            if (s.subject() != null && !s.subject().authority().isEmpty()) {
                return s.subject().authority();
            }
        }
        return io.arca.core.repo.run.RunRecord.ALL_SUBJECTS;
    }

    /**
     * Status's grouping over these backups: a backup by {@link #of}; a drill by its backup's
     * subject when that backup is listed, else by the subject label of the newest backup of its
     * database (the drilled backup may be pruned), else by its database.
     */
    public static RecoveryStatus.Grouping grouping(List<BackupManifest> backups) {
        Map<String, BackupManifest> byId = new HashMap<>();
        Map<String, String> labelOfDatabase = new HashMap<>();
        backups.stream().sorted(Comparator.comparing(BackupManifest::startedAt)).forEach(b -> {
            byId.put(b.backupId(), b);
            String label = b.labels().get(LABEL);
            PostgresSection.DatabaseInfo db = PostgresSection.database(b);
            if (label != null && db != null && db.name() != null) {
                labelOfDatabase.put(db.name(), label);
            }
        });
        return new RecoveryStatus.Grouping() {
            @Override
            public Set<String> namesOf(BackupManifest backup) {
                return SubjectNames.of(backup);
            }

            @Override
            public String nameOf(DrillRecord drill) {
                BackupManifest b = byId.get(drill.backupId());
                if (b != null) {
                    return primary(b);
                }
                return drill.database() == null ? null : labelOfDatabase.getOrDefault(drill.database(), drill.database());
            }
        };
    }
}

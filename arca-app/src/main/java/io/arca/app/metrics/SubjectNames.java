package io.arca.app.metrics;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.status.RecoveryStatus;
import io.arca.core.source.Section;
import io.arca.postgres.manifest.PostgresSection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The subject names metrics group backups and drills by, the same names run records carry: the
 * manifest label {@code subject} when present ({@code arca backup --subject app}, and every backup
 * {@code arca server} takes), else what {@code arca status} judges each section by (a database's
 * name, {@code k8s:/shop}, ...). A physical backup without the label has no database of its own:
 * it stands for its cluster, {@code cluster:<system-identifier>}, so that its WAL archive still has
 * a subject.
 */
final class SubjectNames {
    /** The manifest label naming a backup's subject. */
    static final String LABEL = "subject";
    /** The prefix of the name of a cluster's physical backups taken without a subject. */
    static final String CLUSTER = "cluster:";

    private SubjectNames() {
    }

    /** The subjects a backup counts for, each once. */
    static List<String> of(BackupManifest m) {
        String label = m.labels().get(LABEL);
        if (label != null && !label.isBlank()) {
            return List.of(label);
        }
        List<String> names = new ArrayList<>();
        for (Section s : m.sections()) {
            String name = RecoveryStatus.nameOf(s);
            if (name != null && !names.contains(name)) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            PostgresSection.PhysicalInfo physical = PostgresSection.physical(m);
            if (physical != null) {
                names.add(CLUSTER + physical.systemIdentifier());
            }
        }
        return names;
    }

    /**
     * The subject a drill counts for: the subject label of the backup it restored when that backup
     * is still listed and has one, else the database the drill names; null when it names none.
     */
    static String of(DrillRecord drill, Map<String, BackupManifest> backupsById) {
        BackupManifest restored = backupsById.get(drill.backupId());
        if (restored != null) {
            String label = restored.labels().get(LABEL);
            if (label != null && !label.isBlank()) {
                return label;
            }
        }
        return drill.database();
    }
}

package io.arca.app.catalog;

import io.arca.core.repo.BackupManifest;
import java.util.List;

/**
 * One backup in full: its manifest, the recovery windows that start from it and how its
 * encryption differs from the repository's history. Written as JSON by
 * {@link io.arca.app.json.AppJson} as the manifest with the summary's fields at the top.
 *
 * @param manifest the manifest
 * @param summary its summary
 */
public record BackupDetail(BackupManifest manifest, BackupSummary summary) {
    public List<RecoveryWindow> recoverable() {
        return summary.recoverable();
    }
}

package io.arca.app.catalog;

import java.util.List;

/**
 * What a repository holds.
 *
 * @param repository the repository's URL
 * @param backups complete backups, newest first
 * @param damaged backups whose manifest cannot be trusted
 * @param incomplete folders without a manifest (interrupted backups)
 * @param windows the recovery windows of physical backups with their WAL, per timeline
 * @param repositoryWarnings warnings about the repository's encryption settings (an edited arca.json)
 */
public record BackupListing(String repository, List<BackupSummary> backups, List<DamagedBackup> damaged,
        List<String> incomplete, List<RecoveryWindow> windows, List<String> repositoryWarnings) {
    public BackupListing {
        backups = List.copyOf(backups);
        damaged = List.copyOf(damaged);
        incomplete = List.copyOf(incomplete);
        windows = List.copyOf(windows);
        repositoryWarnings = List.copyOf(repositoryWarnings);
    }
}

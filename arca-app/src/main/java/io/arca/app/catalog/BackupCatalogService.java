package io.arca.app.catalog;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.EncryptionHistory;
import io.arca.core.repo.Repository;
import io.arca.postgres.manifest.PostgresSection;
import io.arca.postgres.wal.WalCoverage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lists and shows backups: what {@code arca list} and {@code arca show} print and the API's
 * {@code /backups} serves. Reads only the repository: no key, no PostgreSQL.
 */
public final class BackupCatalogService {

    /** Every backup (or those of {@code subject}, when not null), with the recovery windows. */
    public BackupListing list(Repository repo, String subject) {
        Repository.Catalog catalog = repo.catalog();
        List<RecoveryWindow> windows = windows(repo, catalog.backups());
        EncryptionHistory encryption = EncryptionHistory.of(repo.config(), catalog.backups());
        List<BackupSummary> backups = new ArrayList<>();
        for (BackupManifest m : catalog.backups()) {
            if (subject == null || SubjectNames.holds(m, subject)) {
                backups.add(BackupSummary.of(m, windowsFrom(windows, m), encryption.warnings(m)));
            }
        }
        List<RecoveryWindow> shown = subject == null ? windows
                : windows.stream().filter(w -> backups.stream().anyMatch(b -> b.id().equals(w.backupId()))).toList();
        return new BackupListing(repo.storage().url().toString(), backups,
                subject == null ? catalog.damaged().stream().map(DamagedBackup::of).toList() : List.of(),
                subject == null ? catalog.incomplete() : List.of(), shown, encryption.repositoryWarnings());
    }

    /**
     * One backup by id, unique prefix, {@code latest} or {@code latest~N}.
     *
     * @throws io.arca.core.error.ArcaException when no backup matches (see {@link Repository#resolve})
     */
    public BackupDetail show(Repository repo, String ref) {
        BackupManifest m = repo.resolve(ref);
        List<BackupManifest> backups = PostgresSection.physical(m) == null ? List.of(m) : repo.list();
        EncryptionHistory encryption = EncryptionHistory.of(repo.config(), backups);
        return new BackupDetail(m, BackupSummary.of(m, windowsFrom(windows(repo, backups), m), encryption.warnings(m)));
    }

    /**
     * The recoverable window of each timeline of each cluster with physical backups: from the
     * backup's end to when the last segment of the unbroken WAL after it was archived.
     */
    public List<RecoveryWindow> windows(Repository repo, List<BackupManifest> backups) {
        Map<String, Long> segmentSizes = new LinkedHashMap<>();
        for (BackupManifest m : backups) {
            PostgresSection.PhysicalInfo p = PostgresSection.physical(m);
            if (p != null) {
                segmentSizes.putIfAbsent(p.systemIdentifier(), p.walSegmentSize());
            }
        }
        List<RecoveryWindow> windows = new ArrayList<>();
        segmentSizes.forEach((system, size) -> {
            for (WalCoverage.Window w : WalCoverage.scan(repo.storage(), Long.parseUnsignedLong(system), size)
                    .windows(backups)) {
                windows.add(new RecoveryWindow(w.timeline().value(), w.backupId(), w.from(), w.to(),
                        w.lastSegment().name()));
            }
        });
        return windows;
    }

    private static List<RecoveryWindow> windowsFrom(List<RecoveryWindow> windows, BackupManifest m) {
        return windows.stream().filter(w -> w.backupId().equals(m.backupId())).toList();
    }
}

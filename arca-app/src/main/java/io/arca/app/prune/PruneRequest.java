package io.arca.app.prune;

import io.arca.core.error.UsageException;
import io.arca.core.storage.StorageUrl;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A prune of one repository.
 *
 * @param repository the repository
 * @param subject only the backups of this subject (see {@link io.arca.app.backup.BackupSubjects}),
 *     or null for every backup; the run is recorded under it, or {@code *}
 * @param retention the rules, by setting name ({@code keep-daily: 7}); empty: the policy saved in the
 *     repository
 * @param savePolicy save {@code retention} as the repository's policy first
 * @param dryRun decide and report, change nothing (and record nothing)
 * @param keepRuns run records older than this are deleted; null: {@link PruneService#DEFAULT_KEEP_RUNS}
 */
public record PruneRequest(StorageUrl repository, String subject, Map<String, String> retention, boolean savePolicy,
        boolean dryRun, Duration keepRuns) {
    public PruneRequest {
        Objects.requireNonNull(repository, "repository");
        retention = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(retention == null ? Map.of() : retention));
        keepRuns = keepRuns == null ? PruneService.DEFAULT_KEEP_RUNS : keepRuns;
        if (keepRuns.isNegative() || keepRuns.isZero()) {
            throw new UsageException("run records must be kept a while, not " + io.arca.core.repo.retention.DurationText.format(keepRuns));
        }
        if (savePolicy && retention.isEmpty()) {
            throw new UsageException("--save-policy needs retention flags (--keep-last, --keep-daily, ...)");
        }
        if (savePolicy && dryRun) {
            throw new UsageException("--save-policy changes the repository; run it without --dry-run");
        }
    }
}

package io.arca.core.repo.retention;

import io.arca.core.repo.BackupManifest;
import java.util.List;

/**
 * The outcome of {@link Retention#plan}: a decision for every complete backup, newest first, and
 * for every incomplete folder, in the order given. Nothing has been deleted yet.
 *
 * @param decisions one per complete backup, newest first
 * @param incomplete one per incomplete backup folder
 */
public record RetentionPlan(List<Decision> decisions, List<IncompleteDecision> incomplete) {
    public RetentionPlan {
        decisions = List.copyOf(decisions);
        incomplete = List.copyOf(incomplete);
    }

    /** Backups the plan keeps, newest first. */
    public List<BackupManifest> toKeep() {
        return decisions.stream().filter(Decision::keep).map(Decision::backup).toList();
    }

    /** Backups the plan removes, newest first. */
    public List<BackupManifest> toRemove() {
        return decisions.stream().filter(d -> !d.keep()).map(Decision::backup).toList();
    }

    /** Incomplete folders the plan removes. */
    public List<String> incompleteToRemove() {
        return incomplete.stream().filter(d -> !d.keep()).map(IncompleteDecision::folder).toList();
    }

    /**
     * Keep or remove one complete backup.
     *
     * @param reasons never empty: every rule that keeps it (e.g. {@code newest}, {@code last 2},
     *     {@code within 7d}, {@code daily 2024-03-05}, {@code weekly 2024-W10}), or why it goes
     *     (e.g. {@code matches no rule})
     */
    public record Decision(BackupManifest backup, boolean keep, List<String> reasons) {
        public Decision {
            reasons = List.copyOf(reasons);
            if (reasons.isEmpty()) {
                throw new IllegalArgumentException("a decision needs a reason");
            }
        }
    }

    /**
     * Keep or remove one incomplete backup folder ({@code backups/YYYY/MM/DD/<id>} without a manifest).
     *
     * @param reason why, e.g. {@code incomplete, younger than 24h}
     */
    public record IncompleteDecision(String folder, boolean keep, String reason) {
    }
}

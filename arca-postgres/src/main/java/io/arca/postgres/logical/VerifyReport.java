package io.arca.postgres.logical;

import java.util.List;

/**
 * The outcome of verifying one backup.
 *
 * @param backupId the backup
 * @param artifacts each artifact's outcome, in manifest order, up to and including the first failure
 */
public record VerifyReport(String backupId, List<ArtifactCheck> artifacts) {

    public boolean ok() {
        return artifacts.stream().allMatch(ArtifactCheck::ok);
    }

    /**
     * One artifact's outcome.
     *
     * @param name the artifact's file
     * @param ok whether every check passed
     * @param checks what was checked, such as {@code sha256}, {@code codec}, {@code pg_restore --list}
     * @param problem the first problem found, or null
     */
    public record ArtifactCheck(String name, boolean ok, List<String> checks, String problem) {
    }
}

package io.arca.postgres.logical;

import java.util.List;

/**
 * The outcome of verifying one backup.
 *
 * @param backupId the backup
 * @param artifacts each artifact's outcome, in manifest order, up to and including the first failure;
 *     then, for a backup whose encryption differs from the repository's history, a failed
 *     {@link #ENCRYPTION} check
 */
public record VerifyReport(String backupId, List<ArtifactCheck> artifacts) {

    /** The name of the check that fails a backup whose encryption differs from the repository's history. */
    public static final String ENCRYPTION = "encryption";

    public VerifyReport {
        artifacts = List.copyOf(artifacts);
    }

    public boolean ok() {
        return artifacts.stream().allMatch(ArtifactCheck::ok);
    }

    /**
     * This report with a failed {@link #ENCRYPTION} check when there are {@code warnings} (see
     * {@code io.arca.core.repo.EncryptionHistory}): the bytes may be intact, but they are not
     * protected as the repository required.
     */
    public VerifyReport withEncryptionWarnings(List<String> warnings) {
        if (warnings.isEmpty()) {
            return this;
        }
        List<ArtifactCheck> all = new java.util.ArrayList<>(artifacts);
        all.add(new ArtifactCheck(ENCRYPTION, false, List.of("encryption history"), String.join("; ", warnings)));
        return new VerifyReport(backupId, all);
    }

    /** This report with {@code checks} added at its end. */
    public VerifyReport with(List<ArtifactCheck> checks) {
        List<ArtifactCheck> all = new java.util.ArrayList<>(artifacts);
        all.addAll(checks);
        return new VerifyReport(backupId, all);
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

package io.arca.postgres.logical;

import io.arca.core.repo.BackupManifest;
import java.time.Duration;

/**
 * What a restore did.
 *
 * @param backup the backup restored
 * @param target the target database, described without password
 * @param created whether the target database was created
 * @param safetyBackup the backup of the target taken before cleaning it, or null
 * @param duration wall time of the whole restore
 */
public record RestoreResult(BackupManifest backup, String target, boolean created, BackupManifest safetyBackup,
        Duration duration) {
}

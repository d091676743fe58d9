package io.arca.postgres.logical;

import io.arca.core.repo.BackupManifest;
import java.time.Duration;

/**
 * What a restore did.
 *
 * @param backup the backup restored
 * @param target the target database, described without password
 * @param created whether the target database was created
 * @param safetyBackup the backup of the target taken before replacing it, or null
 * @param duration wall time of the whole restore
 * @param mode how the data reached the target
 */
public record RestoreResult(BackupManifest backup, String target, boolean created, BackupManifest safetyBackup,
        Duration duration, Mode mode) {

    /** How the data reached the target. */
    public enum Mode {
        /** into a database the restore created */
        CREATED,
        /** into an existing database that held no objects */
        EMPTY,
        /** into a new database that then replaced the target (rename swap) */
        SWAPPED,
        /** into the target itself, in one transaction ({@code --jobs 1}) */
        IN_PLACE_TRANSACTION,
        /** into the target itself, in parallel (not atomic: the safety backup puts it back) */
        IN_PLACE,
        /** the selected tables or schemas, into the target itself */
        SELECTED;

        /** The lower-case name used in output ({@code in-place-transaction}). */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public RestoreResult(BackupManifest backup, String target, boolean created, BackupManifest safetyBackup,
            Duration duration) {
        this(backup, target, created, safetyBackup, duration, created ? Mode.CREATED : Mode.EMPTY);
    }
}

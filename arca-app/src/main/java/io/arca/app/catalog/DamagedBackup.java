package io.arca.app.catalog;

import io.arca.core.repo.Repository;

/**
 * A backup folder whose manifest cannot be read or trusted: never restored as latest, never
 * removed by prune.
 *
 * @param id the backup id its folder is named by, or null
 * @param folder the folder
 * @param damaged always true (so that a list of backups and damaged ones tells them apart)
 * @param problem what is wrong
 */
public record DamagedBackup(String id, String folder, boolean damaged, String problem) {
    public static DamagedBackup of(Repository.Damaged d) {
        return new DamagedBackup(d.id(), d.folder(), true, d.problem());
    }
}

package io.arca.core.source;

import io.arca.core.Progress;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;

/**
 * What a source gets to restore its section of a backup.
 *
 * @param repository the repository (with decryption keys when given); read artifacts with
 *     {@link Repository#openArtifact}, which checks sizes and digests at the end of the stream
 * @param manifest the backup
 * @param clean whether {@code --clean} was given: replace what exists; without it a source never
 *     overwrites anything and says what it kept
 * @param progress where long work reports
 */
public record RestoreContext(Repository repository, BackupManifest manifest, boolean clean, Progress progress) {
}

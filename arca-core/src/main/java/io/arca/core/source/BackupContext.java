package io.arca.core.source;

import io.arca.core.Progress;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;

/**
 * What a source gets to take its part of a backup.
 *
 * @param repository the repository (with its keys; {@link Repository#config()} says whether it
 *     requires encryption: a source holding secrets refuses an unencrypted one unless told)
 * @param pending the backup being written: {@link Repository.PendingBackup#openArtifact} stores an
 *     artifact through the codec and encryption layers
 * @param codec the compression chosen for this backup
 * @param progress where long work reports
 */
public record BackupContext(Repository repository, Repository.PendingBackup pending, CodecSpec codec,
        Progress progress) {

    /** Whether the artifacts this backup writes are encrypted. */
    public boolean encrypted() {
        return repository.encryptionKeys() != null;
    }
}

package io.arca.core.source;

import io.arca.core.Progress;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;

/**
 * What a source gets to check its section beyond the stored sizes and digests every artifact gets
 * checked for (that check runs before, for every source, known or not).
 *
 * @param repository the repository, with decryption keys when given
 * @param manifest the backup
 * @param progress where long work reports
 */
public record VerifyContext(Repository repository, BackupManifest manifest, Progress progress) {
}

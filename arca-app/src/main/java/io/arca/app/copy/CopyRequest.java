package io.arca.app.copy;

import io.arca.core.error.UsageException;
import io.arca.core.storage.StorageUrl;
import java.util.Objects;

/**
 * Backups to copy from one repository into another.
 *
 * @param from the repository they are in
 * @param to the repository they go to (initialised)
 * @param backup an id, id prefix, {@code latest} or {@code latest~N}; null: {@code latest} (unless {@code all})
 * @param all every complete backup the destination lacks
 * @param subject only backups of this subject ({@code latest} is its newest; {@code all}, its
 *     backups), or null for any; also the name the run is recorded under
 */
public record CopyRequest(StorageUrl from, StorageUrl to, String backup, boolean all, String subject) {
    public CopyRequest {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (all && backup != null) {
            throw new UsageException("give either a backup id or --all, not both");
        }
        if (from.equals(to)) {
            throw new UsageException("--from and --to name the same repository '" + from + "'");
        }
    }
}

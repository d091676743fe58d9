package io.arca.app.verify;

import io.arca.core.error.UsageException;

/**
 * Which backups to verify.
 *
 * @param ref a backup id, unique prefix, {@code latest} or {@code latest~N}; null for {@code latest}
 *     (of {@code subject}, when given). Resolved in the first repository; the others are checked
 *     for that same backup (their copies).
 * @param all every complete backup (of {@code subject}, when given), and every damaged one
 * @param subject only this subject's backups count for {@code latest} and {@code all}, or null
 */
public record VerifyRequest(String ref, boolean all, String subject) {
    public VerifyRequest {
        if (all && ref != null) {
            throw new UsageException("give either a backup id or --all, not both");
        }
    }

    /** The newest backup of {@code subject} (null: of any). */
    public static VerifyRequest latest(String subject) {
        return new VerifyRequest(null, false, subject);
    }
}

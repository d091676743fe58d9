package io.arca.postgres.archive;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;

/** The errors for archives that are not what they should be. */
final class ArchiveErrors {

    static final String DAMAGED_HINT =
            "the archive is damaged or incomplete; take a new backup, or check the file with 'pg_restore -l'";

    private ArchiveErrors() {
    }

    /** A structural problem: truncation, a bad length, an unknown block type. */
    static ArcaException malformed(String message) {
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, message, DAMAGED_HINT);
    }

    /** Input that is no pg_dump archive of the expected format at all. */
    static ArcaException notAnArchive(String message, String hint) {
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, message, hint);
    }
}

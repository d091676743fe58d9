package io.arca.core.storage;

import io.arca.core.error.ErrorCode;

/**
 * The object exists but sits in an archive tier (S3 Glacier Flexible Retrieval or Deep Archive,
 * Azure Archive) and must be rehydrated before it can be read. Permanent for this call: the hint
 * says how to rehydrate, which takes hours.
 */
public class StorageArchivedException extends StorageException {
    private static final long serialVersionUID = 1L;

    public StorageArchivedException(String message, String hint, Throwable cause) {
        super(ErrorCode.STORAGE_ARCHIVED, message, hint, cause);
    }
}

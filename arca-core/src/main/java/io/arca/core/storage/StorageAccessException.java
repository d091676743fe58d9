package io.arca.core.storage;

import io.arca.core.error.ErrorCode;

/** See {@link Storage} for when this is raised. */
public class StorageAccessException extends StorageException {
    private static final long serialVersionUID = 1L;

    public StorageAccessException(String message, String hint, Throwable cause) {
        super(ErrorCode.STORAGE_ACCESS, message, hint, cause);
    }

    public StorageAccessException(String message, Throwable cause) {
        this(message, null, cause);
    }
}

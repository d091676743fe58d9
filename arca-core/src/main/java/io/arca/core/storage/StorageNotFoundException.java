package io.arca.core.storage;

import io.arca.core.error.ErrorCode;

/** See {@link Storage} for when this is raised. */
public class StorageNotFoundException extends StorageException {
    private static final long serialVersionUID = 1L;

    public StorageNotFoundException(String message, String hint, Throwable cause) {
        super(ErrorCode.STORAGE_NOT_FOUND, message, hint, cause);
    }

    public StorageNotFoundException(String message, Throwable cause) {
        this(message, null, cause);
    }
}

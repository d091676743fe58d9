package io.arca.core.storage;

import io.arca.core.error.ErrorCode;

/** See {@link Storage} for when this is raised. */
public class StorageTransientException extends StorageException {
    private static final long serialVersionUID = 1L;

    public StorageTransientException(String message, String hint, Throwable cause) {
        super(ErrorCode.STORAGE_TRANSIENT, message, hint, cause);
    }

    public StorageTransientException(String message, Throwable cause) {
        this(message, null, cause);
    }
}

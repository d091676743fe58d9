package io.arca.core.storage;

import io.arca.core.error.ErrorCode;

/** See {@link Storage} for when this is raised. */
public class StorageAlreadyExistsException extends StorageException {
    private static final long serialVersionUID = 1L;

    public StorageAlreadyExistsException(String message, String hint, Throwable cause) {
        super(ErrorCode.STORAGE_ALREADY_EXISTS, message, hint, cause);
    }

    public StorageAlreadyExistsException(String message, Throwable cause) {
        this(message, null, cause);
    }
}

package io.arca.core.storage;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;

/** Base of the storage errors described in {@link Storage}. */
public abstract class StorageException extends ArcaException {
    private static final long serialVersionUID = 1L;

    protected StorageException(ErrorCode code, String message, String hint, Throwable cause) {
        super(code, message, hint, cause);
    }

    /** True for errors worth retrying. */
    public boolean retryable() {
        return code().retryable();
    }
}

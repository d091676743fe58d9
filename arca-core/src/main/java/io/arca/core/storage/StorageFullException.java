package io.arca.core.storage;

/**
 * A write failed because the store has no space left (a full disk or an exhausted quota). It is
 * an {@link StorageAccessException}: retrying the same write does not help, but deleting
 * something first may, which is what {@code prune} does with its reserve (see {@code Leases}).
 */
public class StorageFullException extends StorageAccessException {
    private static final long serialVersionUID = 1L;

    public StorageFullException(String message, String hint, Throwable cause) {
        super(message, hint, cause);
    }
}

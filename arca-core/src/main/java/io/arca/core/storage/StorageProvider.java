package io.arca.core.storage;

/**
 * Creates stores for one URL scheme. Providers are found with {@link java.util.ServiceLoader}
 * (register in {@code META-INF/services/io.arca.core.storage.StorageProvider}).
 */
public interface StorageProvider {
    /** The URL scheme this provider serves, such as {@code file} or {@code s3}. */
    String scheme();

    /**
     * When several providers serve one scheme, the highest priority wins (ties: the first found).
     * Built-in providers return 0; a test or plugin overrides one with a higher number.
     */
    default int priority() {
        return 0;
    }

    /**
     * Opens a store at the URL. Must not create buckets or write anything; checks that need the
     * network may be deferred to the first operation.
     *
     * @throws StorageAccessException when the URL or configuration is invalid
     */
    Storage open(StorageUrl url);
}

package io.arca.core.storage;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A flat namespace of immutable-once-committed objects addressed by key. Every repository
 * operation goes through this interface, so every provider (local filesystem, S3, GCS, Azure)
 * must honour the whole contract; {@code StorageContractSuite} in {@code arca-testkit} checks it.
 *
 * <h2>Keys</h2>
 * A key is a relative, {@code /}-separated path of non-empty segments: no leading or trailing
 * {@code /}, no {@code .} or {@code ..} segment, no backslash, no NUL. Invalid keys raise
 * {@link IllegalArgumentException}. Keys are case-sensitive and sort by their UTF-8 bytes.
 *
 * <h2>Atomicity</h2>
 * An object becomes visible only when {@link StorageWriter#commit()} returns, and then whole: no
 * reader, lister or {@link #stat} ever sees a partial object. {@link StorageWriter#close()} without
 * commit aborts and leaves nothing behind (not the object, not a temporary visible to
 * {@link #list}). Committing over an existing key replaces it atomically unless the write was
 * {@link WriteOptions#ifAbsent() if-absent}.
 *
 * <h2>Errors</h2>
 * All errors are unchecked {@link StorageException}s:
 * <ul>
 *   <li>{@link StorageNotFoundException}: the key does not exist (permanent for this call);
 *   <li>{@link StorageAlreadyExistsException}: an if-absent write found the key taken (permanent);
 *   <li>{@link StorageAccessException}: permissions, missing bucket, read-only location, invalid
 *       configuration (permanent: retrying will not help);
 *   <li>{@link StorageTransientException}: timeouts, throttling, connection resets (retryable; see
 *       {@link RetryingStorage}).
 * </ul>
 * Retry, rate limits and metrics are wrappers around a store, never code inside a provider.
 *
 * <h2>Threads</h2>
 * Implementations are safe for concurrent use by many threads; a single reader or writer stream
 * is used by one thread at a time.
 */
public interface Storage extends AutoCloseable {

    /** Where this store is, for messages. Never contains credentials. */
    StorageUrl url();

    /** What this store can do; callers branch on these, never on the implementation type. */
    Set<StorageFeature> features();

    /** The object's size and time, or empty when the key does not exist. Idempotent. */
    Optional<ObjectInfo> stat(String key);

    /**
     * Opens the object for reading, from {@code range.offset()} for at most {@code range.length()}
     * bytes (to the end when the length is {@link ReadRange#TO_END}). A range that starts at or past
     * the end yields an empty stream. The caller closes the stream.
     *
     * @throws StorageNotFoundException when the key does not exist
     */
    InputStream openRead(String key, ReadRange range);

    /** Reads the whole object. */
    default InputStream openRead(String key) {
        return openRead(key, ReadRange.ALL);
    }

    /**
     * Starts writing an object. Nothing is visible until {@link StorageWriter#commit()}; closing
     * without commit aborts. With {@link WriteOptions#ifAbsent()} the commit fails with
     * {@link StorageAlreadyExistsException} when the key exists, atomically with respect to other
     * writers (on stores with {@link StorageFeature#ATOMIC_IF_ABSENT}; elsewhere best effort).
     */
    StorageWriter openWrite(String key, WriteOptions options);

    /**
     * Every committed object whose key starts with {@code prefix} (a plain string prefix, not only
     * a folder), sorted by key, across however many pages the store needs. Uncommitted writes are
     * never listed. An empty prefix lists everything.
     */
    List<ObjectInfo> list(String prefix);

    /** Deletes the object. Deleting a key that does not exist succeeds (idempotent). */
    void delete(String key);

    /**
     * An optional capability that only some stores offer, such as {@link BucketLifecycle}: the
     * store itself when it implements {@code type}, otherwise empty. Wrappers pass the call to the
     * store they wrap.
     */
    default <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /** Releases clients and threads; the store is unusable afterwards. */
    @Override
    void close();

    /**
     * Orders keys by their UTF-8 bytes, which is code point order. {@link String#compareTo} differs
     * for characters outside the Basic Multilingual Plane, so stores and callers sort with this.
     */
    static int compareKeys(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(i);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
        }
        return Integer.compare(a.length() - i, b.length() - i);
    }

    /** Checks a key against the rules above. */
    static String checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("storage key is empty");
        }
        if (key.startsWith("/") || key.endsWith("/") || key.contains("//") || key.indexOf('\\') >= 0
                || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid storage key '" + key + "'");
        }
        for (String segment : key.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid storage key '" + key + "'");
            }
        }
        return key;
    }
}

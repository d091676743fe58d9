package io.arca.core.storage;

/**
 * How to write an object.
 *
 * @param mode whether an existing object may be replaced
 * @param expectedSize the final size when known in advance (lets stores pick upload strategies),
 *     or {@code -1}
 */
public record WriteOptions(Mode mode, long expectedSize) {
    /** Replace or refuse existing objects. */
    public enum Mode { OVERWRITE, IF_ABSENT }

    public static final WriteOptions DEFAULT = new WriteOptions(Mode.OVERWRITE, -1);

    /** Fails the commit with {@link StorageAlreadyExistsException} when the key exists. */
    public static WriteOptions ifAbsent() {
        return new WriteOptions(Mode.IF_ABSENT, -1);
    }

    public WriteOptions withExpectedSize(long size) {
        return new WriteOptions(mode, size);
    }
}

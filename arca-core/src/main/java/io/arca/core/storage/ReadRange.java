package io.arca.core.storage;

/** A byte range of an object: {@code length} bytes from {@code offset}, or to the end. */
public record ReadRange(long offset, long length) {
    /** Length meaning "to the end of the object". */
    public static final long TO_END = -1;
    /** The whole object. */
    public static final ReadRange ALL = new ReadRange(0, TO_END);

    public ReadRange {
        if (offset < 0 || (length < 0 && length != TO_END)) {
            throw new IllegalArgumentException("invalid range " + offset + "+" + length);
        }
    }

    /** From {@code offset} to the end. */
    public static ReadRange from(long offset) {
        return new ReadRange(offset, TO_END);
    }
}

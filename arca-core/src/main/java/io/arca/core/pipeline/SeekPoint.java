package io.arca.core.pipeline;

/**
 * A frame boundary inside a stored artifact: decoding may start at {@code storedOffset} of the
 * stored bytes and yields the plain bytes from {@code offset} on.
 *
 * @param label what starts here (for PostgreSQL archives {@code data:<dumpId>})
 * @param offset offset in the plain bytes
 * @param storedOffset offset in the stored (encoded) bytes
 */
public record SeekPoint(String label, long offset, long storedOffset) {
}

package io.arca.postgres.archive;

/**
 * Where one data block of a custom-format archive lies in the archive's plain bytes: from its
 * type byte to the end of its last chunk marker.
 *
 * @param dumpId the TOC entry the block holds data for
 * @param offset the block's first byte, counted from the start of the archive
 * @param length the block's bytes
 */
public record BlockRef(int dumpId, long offset, long length) {

    public BlockRef {
        if (dumpId <= 0 || offset < 0 || length <= 0) {
            throw new IllegalArgumentException("invalid block " + dumpId + " at " + offset + " length " + length);
        }
    }

    /** The offset just past the block. */
    public long end() {
        return offset + length;
    }
}

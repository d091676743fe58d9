package io.arca.postgres.archive;

/**
 * The part of a restore a TOC entry belongs to ({@code teSection} in pg_dump, the {@code
 * --section} of {@code pg_restore}). {@link #NONE} marks comments and ACLs, which follow the
 * object they belong to.
 */
public enum TocSection {
    NONE(1),
    PRE_DATA(2),
    DATA(3),
    POST_DATA(4);

    private final int code;

    TocSection(int code) {
        this.code = code;
    }

    /** The number in the archive. */
    public int code() {
        return code;
    }

    /** The section with this code, or {@code null}. */
    static TocSection ofCode(int code) {
        for (TocSection s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}

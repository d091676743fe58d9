package io.arca.postgres.archive;

/** How a pg_dump archive is laid out; the codes are pg_dump's {@code ArchiveFormat}. */
public enum ArchiveFormat {
    /** One file: header, table of contents, data blocks ({@code pg_dump -Fc}). */
    CUSTOM(1),
    /** A tar file of the directory layout ({@code pg_dump -Ft}). */
    TAR(3),
    /** A directory with {@code toc.dat} and one file per data entry ({@code pg_dump -Fd}). */
    DIRECTORY(5);

    private final int code;

    ArchiveFormat(int code) {
        this.code = code;
    }

    /** The byte in the archive header. A directory's {@code toc.dat} says {@link #TAR}. */
    public int code() {
        return code;
    }

    /** The format with this header code, or {@code null}. */
    static ArchiveFormat ofCode(int code) {
        for (ArchiveFormat f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        return null;
    }
}

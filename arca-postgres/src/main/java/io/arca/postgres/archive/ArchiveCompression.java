package io.arca.postgres.archive;

/**
 * How an archive's data is compressed; the codes are PostgreSQL's {@code pg_compress_algorithm}.
 * Archives before format 1.15 record only a gzip level, read as {@link #NONE} for level 0 and
 * {@link #GZIP} otherwise.
 */
public enum ArchiveCompression {
    NONE,
    GZIP,
    LZ4,
    ZSTD;

    /** The algorithm with this header code, or {@code null}. */
    static ArchiveCompression ofCode(int code) {
        return code >= 0 && code < values().length ? values()[code] : null;
    }
}

package io.arca.postgres.archive;

/**
 * The version of a pg_dump archive's format ({@code K_VERS_*} in PostgreSQL), not of PostgreSQL:
 * 1.14 is written by pg_dump 12 to 15, 1.15 by 16, 1.16 by 17 and 18.
 */
public record ArchiveVersion(int major, int minor, int revision) implements Comparable<ArchiveVersion> {

    /** Separate BLOB entries (pg_dump 9.0); the oldest this package reads. */
    public static final ArchiveVersion V1_12 = new ArchiveVersion(1, 12, 0);
    /** Search path handling (pg_dump 11). */
    public static final ArchiveVersion V1_13 = new ArchiveVersion(1, 13, 0);
    /** Table access method in each entry (pg_dump 12). */
    public static final ArchiveVersion V1_14 = new ArchiveVersion(1, 14, 0);
    /** Compression algorithm in the header instead of a level (pg_dump 16). */
    public static final ArchiveVersion V1_15 = new ArchiveVersion(1, 15, 0);
    /** BLOB METADATA entries, several BLOBS entries, relkind in each entry (pg_dump 17). */
    public static final ArchiveVersion V1_16 = new ArchiveVersion(1, 16, 0);

    public ArchiveVersion {
        if (major < 0 || major > 255 || minor < 0 || minor > 255 || revision < 0 || revision > 255) {
            throw new IllegalArgumentException("archive version parts are bytes: " + major + "." + minor + "." + revision);
        }
    }

    public boolean atLeast(ArchiveVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(ArchiveVersion o) {
        return Integer.compare(packed(), o.packed());
    }

    /** As {@code pg_restore -l} prints it: {@code 1.14-0}. */
    @Override
    public String toString() {
        return major + "." + minor + "-" + revision;
    }

    private int packed() {
        return (major << 16) | (minor << 8) | revision;
    }
}

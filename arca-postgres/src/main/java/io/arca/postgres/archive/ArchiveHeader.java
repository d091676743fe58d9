package io.arca.postgres.archive;

import java.time.LocalDateTime;
import java.util.Objects;

/**
 * What the start of a pg_dump archive says about it.
 *
 * @param version the archive format version
 * @param intSize bytes of an integer's magnitude (4 on every platform PostgreSQL supports)
 * @param offSize bytes of a file offset (8)
 * @param format {@link ArchiveFormat#CUSTOM}, or {@link ArchiveFormat#DIRECTORY} for a
 *     directory's {@code toc.dat} (whose header byte says tar)
 * @param compression how the data is compressed
 * @param createDate when pg_dump started, in pg_dump's local time zone (not recorded); {@code
 *     null} when the recorded fields do not form a date
 * @param dbName the database dumped
 * @param remoteVersion the server's version string ({@code 15.18 (Debian ...)})
 * @param dumpVersion pg_dump's version string
 */
public record ArchiveHeader(ArchiveVersion version, int intSize, int offSize, ArchiveFormat format,
                            ArchiveCompression compression, LocalDateTime createDate, String dbName,
                            String remoteVersion, String dumpVersion) {

    public ArchiveHeader {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(compression, "compression");
    }
}

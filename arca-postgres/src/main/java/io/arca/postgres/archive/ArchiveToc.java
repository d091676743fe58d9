package io.arca.postgres.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The header and table of contents of a pg_dump archive: everything but the data. Read from a
 * custom-format archive's first bytes ({@link #read(InputStream)}), from a directory archive
 * ({@link #readDirectory(Path)}), or found while streaming by {@link CustomArchiveScanner}.
 *
 * <p>Archive formats 1.12 to 1.16 are understood (pg_dump 9.0 to 18); older and newer ones are
 * refused with {@link io.arca.core.error.ErrorCode#VERIFICATION_FAILED}, as is anything that is
 * not an archive of the expected format (a plain SQL script, a gzip file). Strings are decoded
 * in the database encoding named by the {@code ENCODING} entry.
 *
 * @param header the archive header
 * @param entries the entries in archive order (the order pg_dump sorted them in)
 * @param length bytes of header plus table of contents: in a custom archive, where the data
 *     starts
 */
public record ArchiveToc(ArchiveHeader header, List<TocEntry> entries, long length) {

    public ArchiveToc {
        Objects.requireNonNull(header, "header");
        entries = List.copyOf(entries);
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
    }

    /**
     * Reads the header and TOC from the first bytes of a custom-format archive, or from a
     * directory archive's {@code toc.dat} (the header says which). May read past the TOC (into
     * the data) by up to a buffer; the stream is not closed.
     *
     * @throws io.arca.core.error.ArcaException {@link io.arca.core.error.ErrorCode#VERIFICATION_FAILED}
     *     when the stream holds no complete header and TOC of either format
     */
    public static ArchiveToc read(InputStream in) throws IOException {
        return read(in, null, "archive");
    }

    /**
     * Reads a directory-format archive's {@code toc.dat} from a stream (not closed).
     *
     * @throws io.arca.core.error.ArcaException as {@link #read(InputStream)}
     */
    public static ArchiveToc readTocDat(InputStream in) throws IOException {
        return read(in, ArchiveFormat.DIRECTORY, "toc.dat");
    }

    /**
     * Reads the TOC of a directory-format archive ({@code pg_dump -Fd}): its {@code toc.dat}, or
     * {@code toc.dat.gz} as pg_restore also accepts.
     *
     * @throws NoSuchFileException when the directory has neither
     */
    public static ArchiveToc readDirectory(Path directory) throws IOException {
        Path plain = directory.resolve("toc.dat");
        if (Files.isRegularFile(plain)) {
            try (InputStream in = Files.newInputStream(plain)) {
                return readTocDat(in);
            }
        }
        Path gz = directory.resolve("toc.dat.gz");
        if (Files.isRegularFile(gz)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 65536)) {
                return readTocDat(in);
            }
        }
        throw new NoSuchFileException(plain.toString(), null, "not a directory-format pg_dump archive");
    }

    private static ArchiveToc read(InputStream in, ArchiveFormat format, String what) throws IOException {
        TocParser parser = new TocParser(format);
        byte[] buf = new byte[16384];
        while (!parser.complete()) {
            int n = in.read(buf);
            if (n < 0) {
                throw parser.truncated(what);
            }
            parser.feed(buf, 0, n);
        }
        return parser.toc();
    }

    /** The entry with this dump id. */
    public Optional<TocEntry> entry(int dumpId) {
        for (TocEntry e : entries) {
            if (e.dumpId() == dumpId) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The entries by dump id, in archive order: a new map on each call, for repeated lookups. */
    public Map<Integer, TocEntry> byDumpId() {
        Map<Integer, TocEntry> map = new LinkedHashMap<>();
        for (TocEntry e : entries) {
            map.put(e.dumpId(), e);
        }
        return map;
    }

    /** The database encoding from the {@code ENCODING} entry ({@code UTF8}, {@code LATIN1}...), if any. */
    public Optional<String> encoding() {
        return entries.stream().filter(e -> e.is("ENCODING")).findFirst()
                .map(e -> PgEncodings.fromEncodingEntry(e.defn()));
    }

    /** The entries with data (table data, large objects), in archive order. */
    public List<TocEntry> dataEntries() {
        return entries.stream().filter(TocEntry::hadDumper).toList();
    }
}

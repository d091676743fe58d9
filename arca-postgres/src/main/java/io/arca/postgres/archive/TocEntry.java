package io.arca.postgres.archive;

import java.util.List;
import java.util.Objects;

/**
 * One entry of an archive's table of contents: an object to create, data to load, or a setting
 * ({@code ENCODING}, {@code STDSTRINGS}, {@code SEARCHPATH}). Strings the archive stores as null
 * are {@code null} here; fields older archive versions lack are {@code null} too.
 *
 * @param dumpId the entry's id, unique in the archive, the number {@code pg_restore -l} prints
 * @param hadDumper whether pg_dump wrote data for it (a data block in a custom archive, a file in
 *     a directory archive): {@code TABLE DATA} and {@code BLOBS} entries
 * @param tableOid the OID of the catalog the object lives in ({@code pg_class} for tables), 0 if none
 * @param oid the object's OID, 0 if none
 * @param tag the object's name as {@code pg_restore -l} shows it
 * @param desc the kind of entry: {@code TABLE}, {@code TABLE DATA}, {@code INDEX}, {@code BLOBS}...
 * @param section which restore section it belongs to
 * @param defn the SQL that creates it
 * @param dropStmt the SQL that drops it, as {@code pg_restore --clean} runs it
 * @param copyStmt the {@code COPY ... FROM stdin} for table data
 * @param namespace the schema, for objects in one
 * @param tablespace the tablespace, empty for the database default
 * @param tableam the table access method (format 1.14 on)
 * @param relkind the relation kind ({@code 'r'}, {@code 'p'}...), {@code '\0'} when not recorded
 *     (before format 1.16, and for entries that are not relations)
 * @param owner the owning role
 * @param dependencies the dump ids this entry depends on
 * @param dataFile in a directory archive, the file holding the data ({@code 3384.dat}, {@code
 *     blobs.toc}); {@code null} otherwise
 * @param dataOffset in a custom archive written to a seekable file, where the entry's data block
 *     starts; {@value #NO_OFFSET} when not recorded (written to a pipe) or without data
 */
public record TocEntry(int dumpId, boolean hadDumper, long tableOid, long oid, String tag, String desc,
                       TocSection section, String defn, String dropStmt, String copyStmt, String namespace,
                       String tablespace, String tableam, char relkind, String owner,
                       List<Integer> dependencies, String dataFile, long dataOffset) {

    /** {@link #dataOffset()} when the archive does not say where the data is. */
    public static final long NO_OFFSET = -1;

    public TocEntry {
        Objects.requireNonNull(desc, "desc");
        Objects.requireNonNull(section, "section");
        dependencies = List.copyOf(dependencies);
    }

    /** Whether {@link #desc()} is {@code kind}. */
    public boolean is(String kind) {
        return desc.equals(kind);
    }

    /** {@code 3384 TABLE DATA app.orders}: for messages. */
    public String describe() {
        return dumpId + " " + desc + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + ".")
                + (tag == null ? "" : tag);
    }
}

package io.arca.postgres.replication;

/**
 * A tablespace a base backup sends, as the server announces it before the data.
 *
 * @param oid the tablespace's OID; {@code null} for the main data directory
 * @param location the tablespace's directory on the server; {@code null} for the main data
 *     directory
 * @param sizeBytes the server's size estimate (it is sent in kB, with {@code PROGRESS}); -1 when
 *     unknown
 */
public record Tablespace(Long oid, String location, long sizeBytes) {

    /** True for the main data directory. */
    public boolean isMain() {
        return oid == null;
    }

    /** The archive's name as {@code pg_basebackup} writes it: {@code base.tar} or {@code <oid>.tar}. */
    public String archiveName() {
        return oid == null ? "base.tar" : oid + ".tar";
    }
}

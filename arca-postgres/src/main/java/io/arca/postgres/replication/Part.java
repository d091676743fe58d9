package io.arca.postgres.replication;

import java.io.InputStream;

/**
 * One archive of a base backup, read from the connection as it arrives.
 *
 * @param kind a tar archive of a tablespace, or the backup manifest
 * @param tablespace the tablespace a {@link Kind#TAR} part holds; {@code null} for the manifest
 * @param name {@code base.tar}, {@code <oid>.tar} or {@code backup_manifest}
 * @param stream the part's bytes; a tar part is always a complete archive ending with the two
 *     zero blocks. Reading it is only valid until {@link BaseBackup#next()} is called again;
 *     closing it does not close the connection
 */
public record Part(Kind kind, Tablespace tablespace, String name, InputStream stream) {

    public enum Kind { TAR, MANIFEST }
}

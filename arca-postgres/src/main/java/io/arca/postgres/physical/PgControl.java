package io.arca.postgres.physical;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The head of a data directory's {@code global/pg_control} ({@code ControlFileData}), in the
 * machine's byte order as the server writes it: the system identifier, the catalog version and the
 * cluster state. The fields read sit at the same offsets in every PostgreSQL version Arca supports.
 *
 * @param systemIdentifier the cluster's system identifier (unsigned)
 * @param catalogVersion {@code catalog_version_no}, as in a tablespace's {@code PG_<major>_<catversion>}
 * @param state {@code DBState}: 2 shut down in recovery, 6 in production, ...
 */
public record PgControl(long systemIdentifier, long catalogVersion, int state) {
    /** uint64 system_identifier, uint32 pg_control_version, uint32 catalog_version_no, DBState state. */
    private static final int HEAD = 20;

    /**
     * Reads {@code pgdata}'s {@code global/pg_control}.
     *
     * @throws IOException when it cannot be read (a missing file gives {@link java.nio.file.NoSuchFileException})
     */
    public static PgControl read(Path pgdata) throws IOException {
        byte[] head = new byte[HEAD];
        try (InputStream in = Files.newInputStream(pgdata.resolve("global").resolve("pg_control"))) {
            if (in.readNBytes(head, 0, HEAD) < HEAD) {
                throw new EOFException("the file is too short");
            }
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.nativeOrder());
        return new PgControl(b.getLong(0), Integer.toUnsignedLong(b.getInt(12)), b.getInt(16));
    }
}

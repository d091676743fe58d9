package io.arca.cli;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --pgdata DIR}: the cluster whose WAL is archived or restored; its system identifier keys the archive. */
final class WalOptions {
    /** PostgreSQL's WAL segment size unless told otherwise (names only depend on it for counting). */
    static final long SEGMENT_SIZE = 16L << 20;

    @Option(names = "--pgdata", paramLabel = "DIR", defaultValue = "${env:PGDATA}",
            description = "The cluster's data directory (default: PGDATA, else the working directory, which is the"
                    + " data directory when PostgreSQL runs archive_command or restore_command).")
    Path pgdata;

    Path dataDirectory() {
        return pgdata != null ? pgdata : Path.of("").toAbsolutePath();
    }

    /** The system identifier from {@code global/pg_control} (its first field, in the machine's byte order). */
    long systemId() {
        Path control = dataDirectory().resolve("global").resolve("pg_control");
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(control)) {
            if (in.readNBytes(head, 0, 8) < 8) {
                throw new IOException("file too short");
            }
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot read the system identifier from '" + control + "': "
                    + e.getMessage(), "run in the data directory (as archive_command does) or pass --pgdata DIR");
        }
        return ByteBuffer.wrap(head).order(ByteOrder.nativeOrder()).getLong();
    }
}

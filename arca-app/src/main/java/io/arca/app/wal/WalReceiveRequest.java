package io.arca.app.wal;

import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.local.ConnectionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * WAL to stream from a server into a repository's WAL archive (see {@link io.arca.postgres.wal.WalReceiver}).
 *
 * @param repository the repository whose WAL archive receives it
 * @param database the server to stream from
 * @param subject the name the run is recorded under
 * @param keys what the WAL is encrypted with, or null for none
 * @param compression the codec, or null for the WAL default of the repository's codec
 * @param slot the physical replication slot, or null to stream without one
 * @param createSlot create the slot when it does not exist
 * @param spool where the segment being received waits, or null for a temporary directory
 * @param statusInterval how often the position is reported to the server at least, or null for 10 s
 */
public record WalReceiveRequest(StorageUrl repository, ConnectionSettings database, String subject,
        EncryptionKeys keys, CodecSpec compression, String slot, boolean createSlot, Path spool,
        Duration statusInterval) {
    public WalReceiveRequest {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(subject, "subject");
    }
}

package io.arca.postgres.replication;


/**
 * What to ask {@code BASE_BACKUP} for. WAL is never included in the archives: Arca archives WAL
 * separately.
 *
 * @param label the backup label ({@code backup_label}'s {@code LABEL:} line)
 * @param fastCheckpoint start with an immediate checkpoint instead of a spread one
 * @param waitForWalArchive whether the server waits, at the end, until the WAL the backup needs
 *     is archived ({@code false} maps to {@code WAIT false} / {@code NOWAIT})
 * @param manifestChecksums the checksum algorithm of the backup manifest ({@code CRC32C}, {@code
 *     SHA224}, {@code SHA256}, {@code SHA384}, {@code SHA512} or {@code NONE}); {@code null}
 *     asks for no manifest at all
 * @param tablespaceMap include a {@code tablespace_map} file in the main archive instead of the
 *     {@code pg_tblspc} symbolic links
 */
public record BaseBackupRequest(String label, boolean fastCheckpoint, boolean waitForWalArchive,
                                String manifestChecksums, boolean tablespaceMap) {

    public BaseBackupRequest {
        if (label == null || label.isEmpty()) {
            throw new IllegalArgumentException("a base backup needs a label");
        }
        if (manifestChecksums != null && !manifestChecksums.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("invalid manifest checksum algorithm '" + manifestChecksums + "'");
        }
    }
}

package io.arca.postgres.physical;

import io.arca.core.error.UsageException;
import io.arca.core.pipeline.CodecSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How to take a physical backup.
 *
 * @param codec compression of the tar streams (zstd with workers compresses in parallel)
 * @param fastCheckpoint start with an immediate checkpoint ({@code CHECKPOINT 'fast'}) rather than a spread one
 * @param walMode how the WAL the backup needs reaches the repository
 * @param manifestChecksums the server's per-file checksum for {@code backup_manifest} (CRC32C, SHA256, ...)
 * @param labels labels recorded in the manifest
 * @param spoolDirectory where streamed WAL segments are written before they are stored (one at a time)
 * @param archiveTimeout how long {@link WalMode#ARCHIVE} waits for the server's archive_command to
 *     store the backup's last segment
 * @param dataDirectory the server's data directory, to read the files from it ({@link
 *     LocalBaseBackup}); null to receive them over the replication protocol
 */
public record PhysicalBackupOptions(CodecSpec codec, boolean fastCheckpoint, WalMode walMode, String manifestChecksums,
        Map<String, String> labels, Path spoolDirectory, Duration archiveTimeout, Path dataDirectory) {

    public PhysicalBackupOptions {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** Options for a backup over the replication protocol. */
    public PhysicalBackupOptions(CodecSpec codec, boolean fastCheckpoint, WalMode walMode, String manifestChecksums,
            Map<String, String> labels, Path spoolDirectory, Duration archiveTimeout) {
        this(codec, fastCheckpoint, walMode, manifestChecksums, labels, spoolDirectory, archiveTimeout, null);
    }

    /** How the WAL from the backup's start to its stop position reaches the repository. */
    public enum WalMode {
        /**
         * Arca streams it over a second replication connection into the WAL archive, holding it on
         * the server with a temporary replication slot while the backup runs ({@code pg_basebackup -X
         * stream}). Needs no archive_command; the backup's last segment is stored as {@code .partial}
         * until archiving or {@code wal-receive} stores it whole.
         */
        STREAM,
        /** The server's {@code archive_command} ({@code arca wal-push}) archives it; the backup waits for it. */
        ARCHIVE;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static WalMode parse(String text) {
            for (WalMode m : values()) {
                if (m.id().equalsIgnoreCase(text)) {
                    return m;
                }
            }
            throw new UsageException("unknown --wal mode '" + text + "': use stream or archive");
        }
    }
}

package io.arca.postgres.physical;

import io.arca.core.error.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How to restore a physical backup.
 *
 * @param pgdata the data directory to write
 * @param target where recovery stops
 * @param targetTimeline {@code latest}, {@code current} or a timeline number ({@code recovery_target_timeline})
 * @param targetAction {@code promote}, {@code pause} or {@code shutdown} once the target is reached
 * @param tablespaceMap new locations of tablespaces, keyed by their old location or OID
 * @param delta reuse a non-empty PGDATA: keep files that match the backup, rewrite the others,
 *     remove what the backup does not hold
 * @param force empty a non-empty PGDATA (and tablespace directories) first
 * @param restoreCommand the {@code restore_command} written for recovery ({@code %f}, {@code %p})
 * @param start start the server and wait until recovery reached the target
 * @param startOptions extra server options for {@code pg_ctl -o} (e.g. {@code -p 5433})
 * @param startTimeout how long to wait for recovery with {@code start}
 * @param serverPrograms where {@code pg_ctl} is, found by the caller for the backup's major version (with {@code start})
 * @param archive keep the backup's WAL archiving settings (a real failover); without it the restored
 *     server gets {@code archive_mode = off}, so a copy started for a test never archives its new
 *     timeline into the source's WAL archive
 */
public record PhysicalRestoreOptions(Path pgdata, RecoveryTarget target, String targetTimeline, String targetAction,
        Map<String, Path> tablespaceMap, boolean delta, boolean force, String restoreCommand, boolean start,
        List<String> startOptions, Duration startTimeout, Path serverPrograms, boolean archive) {

    public PhysicalRestoreOptions {
        tablespaceMap = tablespaceMap == null ? Map.of() : Map.copyOf(tablespaceMap);
        startOptions = startOptions == null ? List.of() : List.copyOf(startOptions);
        if (!List.of("promote", "pause", "shutdown").contains(targetAction)) {
            throw new UsageException("invalid --target-action '" + targetAction
                    + "': use promote, pause or shutdown");
        }
        if (!targetTimeline.equals("latest") && !targetTimeline.equals("current") && !targetTimeline.matches("[1-9][0-9]{0,9}")) {
            throw new UsageException("invalid --target-timeline '" + targetTimeline
                    + "': use latest, current or a timeline number");
        }
        if (delta && force) {
            throw new UsageException("--delta and --force exclude each other: --delta keeps matching files,"
                    + " --force deletes everything first");
        }
    }
}

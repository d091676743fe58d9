package io.arca.postgres.logical;

import io.arca.core.error.UsageException;
import java.time.Duration;

/**
 * How a restore with {@code --clean} replaces a database that holds objects.
 *
 * @param inPlace restore into the target itself (after the safety backup; one transaction with
 *     one job) instead of into a new database swapped in by renaming
 * @param terminateConnections end the target's other sessions before the swap (or the in-place
 *     restore) instead of failing with their list
 * @param lockTimeout the longest any of the restore's sessions waits for a lock
 * @param confirmTarget the target database's name, given to replace a database whose name or
 *     tables are not the backup's; null when not given
 */
public record ReplaceOptions(boolean inPlace, boolean terminateConnections, Duration lockTimeout, String confirmTarget) {
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);

    public ReplaceOptions {
        if (lockTimeout == null) {
            lockTimeout = DEFAULT_LOCK_TIMEOUT;
        }
        if (lockTimeout.isNegative() || lockTimeout.isZero()) {
            throw new UsageException("--lock-timeout must be positive");
        }
    }

    /** A swap when possible, failing on other sessions, 10 s lock timeout, no confirmation. */
    public static ReplaceOptions defaults() {
        return new ReplaceOptions(false, false, DEFAULT_LOCK_TIMEOUT, null);
    }
}

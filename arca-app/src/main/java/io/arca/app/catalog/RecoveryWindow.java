package io.arca.app.catalog;

import java.time.Instant;

/**
 * A stretch of time any point of which a physical backup and the unbroken WAL after it can recover
 * to, on one timeline of one cluster.
 *
 * @param timeline the timeline
 * @param backupId the backup recovery starts from
 * @param from the earliest point (the backup's end)
 * @param to the latest point (when the last segment of the unbroken WAL was archived)
 * @param lastSegment the name of that segment
 */
public record RecoveryWindow(long timeline, String backupId, Instant from, Instant to, String lastSegment) {
}

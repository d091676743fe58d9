package io.arca.app.status;

import java.time.Instant;

/**
 * The points in time a subject can be recovered to.
 *
 * @param oldest the oldest restorable point: the oldest full backup's (a logical backup's start, a
 *     physical backup's end)
 * @param newest the newest one: the newest backup's, or the end of the archived WAL after a
 *     physical backup when that is later
 * @param walIncluded whether {@code newest} comes from the WAL archive (any point between a
 *     physical backup and it is reachable)
 */
public record Recoverable(Instant oldest, Instant newest, boolean walIncluded) {
}

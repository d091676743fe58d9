package io.arca.core.repo.lease;

import java.time.Instant;

/**
 * The content of a lease object in {@code locks/}: who holds it and until when.
 *
 * @param nonce random id of this holding; a renewal keeps it, a new acquisition gets a new one
 * @param mode shared (backups, copies) or exclusive (prune)
 * @param purpose what the holder does, for messages ({@code backup}, {@code prune}, ...)
 * @param host the holder's host name
 * @param pid the holder's process id
 * @param startedAt when the lease was first taken
 * @param expiresAt when it goes stale unless renewed
 */
public record LeaseRecord(String nonce, LeaseMode mode, String purpose, String host, long pid, Instant startedAt,
        Instant expiresAt) {

    /** The holder for messages: {@code prune by pid 4711 on db-1, started 2026-11-22T10:00:00Z}. */
    public String holder() {
        return purpose + " by pid " + pid + " on " + host + ", started " + startedAt;
    }
}

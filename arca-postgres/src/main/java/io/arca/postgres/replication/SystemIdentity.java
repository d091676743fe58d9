package io.arca.postgres.replication;

import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;

/**
 * The answer to {@code IDENTIFY_SYSTEM}: the cluster's system identifier (the one in {@code
 * pg_control} and in every WAL segment header), its current timeline, and the WAL position
 * flushed so far.
 */
public record SystemIdentity(long systemId, TimelineId timeline, Lsn xlogPos) {
}

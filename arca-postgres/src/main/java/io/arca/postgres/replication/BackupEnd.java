package io.arca.postgres.replication;

import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;

/** How a base backup ended: the WAL position up to which recovery must replay, and its timeline. */
public record BackupEnd(Lsn stopLsn, TimelineId timeline) {
}

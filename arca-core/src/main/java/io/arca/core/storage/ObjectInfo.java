package io.arca.core.storage;

import java.time.Instant;

/** A committed object: its key, size in bytes and last modification time. */
public record ObjectInfo(String key, long size, Instant lastModified) {
}

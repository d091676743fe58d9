package io.arca.core.repo;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a backup holds. */
public enum BackupKind {
    /** {@code pg_dump} archives (and optionally globals). */
    LOGICAL,
    /** A base backup of a whole cluster. */
    PHYSICAL;

    @JsonValue
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

package io.arca.postgres.manifest;

import java.util.Locale;

/** The two kinds of PostgreSQL backup, each a source of its own. */
public enum BackupKind {
    /** {@code pg_dump} archives (and optionally globals): source {@code postgresql.logical}. */
    LOGICAL,
    /** A base backup of a whole cluster: source {@code postgresql.physical}. */
    PHYSICAL;

    /** {@code logical} or {@code physical}, as messages and {@code arca list} name it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The source id of its sections: {@code postgresql.logical}. */
    public String source() {
        return "postgresql." + id();
    }

    /** The kind whose sections have the source {@code source}, or null when it is not PostgreSQL's. */
    public static BackupKind of(String source) {
        for (BackupKind k : values()) {
            if (k.source().equals(source)) {
                return k;
            }
        }
        return null;
    }
}

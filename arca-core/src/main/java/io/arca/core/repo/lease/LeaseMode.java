package io.arca.core.repo.lease;

/** Shared leases coexist with each other; an exclusive lease excludes every other lease. */
public enum LeaseMode {
    /** Backups and copies: many at once, but not while a prune runs. */
    SHARED,
    /** Prune: alone in the repository. */
    EXCLUSIVE
}

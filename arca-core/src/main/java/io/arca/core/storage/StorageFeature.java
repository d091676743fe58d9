package io.arca.core.storage;

/** Capabilities a store declares; callers check these instead of guessing from types. */
public enum StorageFeature {
    /** {@link Storage#openRead(String, ReadRange)} reads ranges without transferring the rest. */
    RANGED_READ,
    /** If-absent commits are atomic against concurrent writers (conditional write or link). */
    ATOMIC_IF_ABSENT,
    /** A committed object survives power loss once commit returns (fsync or a durable service). */
    DURABLE_COMMIT,
    /** Listing sees every object committed before the call (read-after-write for lists). */
    CONSISTENT_LIST
}

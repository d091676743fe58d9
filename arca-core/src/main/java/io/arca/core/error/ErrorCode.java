package io.arca.core.error;

/**
 * Every way Arca can fail, with a stable number (never reused, safe to match in scripts and
 * alerts), the process exit code, and whether trying again may help.
 *
 * <p>Exit codes: 0 ok, 1 failure, 2 usage, 3 partial, 10 no repository, 11 lock held, 12 key or
 * decryption failure, 13 storage access, 14 PostgreSQL connection, 15 verification failed.
 * {@code docs/exit-codes.md} is checked against this enum by a test.
 */
public enum ErrorCode {
    /** A failure that fits no narrower code. */
    FAILURE(1000, 1, false),
    /** An unexpected internal error: a bug in Arca. */
    INTERNAL(1001, 1, false),
    /** Bad command-line input: unknown option, missing argument, invalid value. */
    USAGE(1002, 2, false),
    /** Part of the work succeeded and part failed. */
    PARTIAL(1003, 3, false),
    /** A backup id or {@code latest} that names no complete backup. */
    BACKUP_NOT_FOUND(1004, 1, false),
    /** A restore target that holds objects, without {@code --clean}. */
    TARGET_NOT_EMPTY(1005, 1, false),
    /** A required PostgreSQL client program ({@code pg_dump}, {@code pg_restore}, ...) fitting the server's major version was not found. */
    TOOL_NOT_FOUND(1006, 1, false),
    /** A PostgreSQL client program ran and failed. */
    TOOL_FAILED(1007, 1, false),
    /** The operation was interrupted (signal or Ctrl-C). */
    INTERRUPTED(1008, 1, true),
    /** The repository location holds no Arca repository (no {@code arca.json}). */
    REPOSITORY_NOT_FOUND(1100, 10, false),
    /** {@code arca init} on a location that already holds a repository. */
    REPOSITORY_EXISTS(1101, 1, false),
    /** The repository's format version is newer than this Arca understands. */
    REPOSITORY_VERSION(1102, 10, false),
    /** Another process holds the lease. */
    LOCK_HELD(1200, 11, true),
    /** A key or passphrase is missing or wrong, or decryption failed. */
    KEY(1300, 12, false),
    /** Storage refused access or is misconfigured (permissions, missing bucket, not writable). */
    STORAGE_ACCESS(1400, 13, false),
    /** Storage failed in a way that may pass (timeouts, throttling, connection resets). */
    STORAGE_TRANSIENT(1401, 13, true),
    /** An object that should exist in storage does not. */
    STORAGE_NOT_FOUND(1402, 13, false),
    /** An if-absent write found the object already there. */
    STORAGE_ALREADY_EXISTS(1403, 13, false),
    /** PostgreSQL could not be reached or refused the connection. */
    PG_CONNECTION(1500, 14, true),
    /** PostgreSQL rejected the credentials. */
    PG_AUTHENTICATION(1501, 14, false),
    /** The database named in the connection URL does not exist. */
    PG_DATABASE_MISSING(1502, 14, false),
    /** A backup failed its integrity checks: size, checksum, codec or archive structure. */
    VERIFICATION_FAILED(1600, 15, false);

    private final int number;
    private final int exitCode;
    private final boolean retryable;

    ErrorCode(int number, int exitCode, boolean retryable) {
        this.number = number;
        this.exitCode = exitCode;
        this.retryable = retryable;
    }

    /** Stable number, printed as {@code ARCA-<number>}; never reused for another meaning. */
    public int number() {
        return number;
    }

    /** The process exit code for this error. */
    public int exitCode() {
        return exitCode;
    }

    /** True when the same operation may succeed if tried again unchanged. */
    public boolean retryable() {
        return retryable;
    }
}

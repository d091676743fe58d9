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
    FAILURE(1000, 1, false, "A failure that fits no narrower code."),
    INTERNAL(1001, 1, false, "An unexpected internal error: a bug in Arca."),
    USAGE(1002, 2, false, "Bad command-line input: unknown option, missing argument, invalid value."),
    PARTIAL(1003, 3, false, "Part of the work succeeded and part failed."),
    BACKUP_NOT_FOUND(1004, 1, false, "A backup id or latest that names no complete backup."),
    TARGET_NOT_EMPTY(1005, 1, false, "A restore target that holds objects, without --clean."),
    TOOL_NOT_FOUND(1006, 1, false, "A required PostgreSQL client program (pg_dump, pg_restore, ...) fitting the server's major version was not found."),
    TOOL_FAILED(1007, 1, false, "A PostgreSQL client program ran and failed."),
    INTERRUPTED(1008, 1, true, "The operation was interrupted (signal or Ctrl-C). After SIGINT or SIGTERM the process stops its children, removes unfinished work and exits 128 + the signal: 130 (SIGINT), 143 (SIGTERM); wal-push and wal-fetch exit 1."),
    OBJECTIVES_MISSED(1009, 1, false, "An objective is missed: a backup older than the RPO, a drill slower than the RTO or failed, or no drill passed recently."),
    LOCAL_IO(1010, 1, false, "A local file or directory could not be read, written or created (full disk, permissions, missing parent directory)."),
    HOOK_FAILED(1011, 1, false, "A --pre-hook or --post-hook command exited non-zero or did not finish in time, or a --health-url did not answer 2xx in time."),
    REPOSITORY_NOT_FOUND(1100, 10, false, "The repository location holds no Arca repository (no arca.json)."),
    REPOSITORY_EXISTS(1101, 1, false, "arca init on a location that already holds a repository."),
    REPOSITORY_VERSION(1102, 10, false, "The repository's format version is newer than this Arca understands."),
    WAL_CONFLICT(1103, 1, false, "A WAL file is already archived with other content (or archived twice)."),
    WAL_SYSTEM_MISMATCH(1104, 1, false, "A WAL segment belongs to another cluster (system identifier) than expected."),
    LOCK_HELD(1200, 11, true, "Another process holds the lease."),
    KEY(1300, 12, false, "A key or passphrase is missing or wrong, or decryption failed."),
    STORAGE_ACCESS(1400, 13, false, "Storage refused access or is misconfigured (permissions, missing bucket, not writable)."),
    STORAGE_TRANSIENT(1401, 13, true, "Storage failed in a way that may pass (timeouts, throttling, connection resets)."),
    STORAGE_NOT_FOUND(1402, 13, false, "An object that should exist in storage does not."),
    STORAGE_ALREADY_EXISTS(1403, 13, false, "An if-absent write found the object already there."),
    STORAGE_ARCHIVED(1404, 13, false, "The object is in an archive storage tier and must be rehydrated before it can be read."),
    PG_CONNECTION(1500, 14, true, "PostgreSQL could not be reached or refused the connection."),
    PG_AUTHENTICATION(1501, 14, false, "PostgreSQL rejected the credentials."),
    PG_DATABASE_MISSING(1502, 14, false, "The database named in the connection URL does not exist."),
    PG_LOCK_TIMEOUT(1503, 1, true, "A lock wait in PostgreSQL ran out: another session held a table longer than the lock wait timeout allowed."),
    VERIFICATION_FAILED(1600, 15, false, "A backup failed its integrity checks: size, checksum, codec or archive structure."),
    API_NOT_FOUND(1700, 1, false, "HTTP API: the run, subject or path asked for does not exist (HTTP 404; an unknown backup is ARCA-1004)."),
    API_UNAUTHENTICATED(1701, 1, false, "HTTP API: no bearer token, or one the server does not know (HTTP 401)."),
    API_FORBIDDEN(1702, 1, false, "HTTP API: the token's role may not do that, such as a read-only token on a trigger (HTTP 403).");

    private final int number;
    private final int exitCode;
    private final boolean retryable;
    private final String description;

    ErrorCode(int number, int exitCode, boolean retryable, String description) {
        this.number = number;
        this.exitCode = exitCode;
        this.retryable = retryable;
        this.description = description;
    }

    /** What the code means, one sentence (rendered into {@code docs/exit-codes.md}). */
    public String description() {
        return description;
    }

    /** The Markdown of {@code docs/exit-codes.md}: a test keeps the file equal to this. */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Exit codes and error codes\n\n")
                .append("Generated from `io.arca.core.error.ErrorCode`; `ErrorCodeDocTest` fails when this file and the enum differ.\n\n")
                .append("Arca exits 0 on success. On failure it prints one line `error: ...`, a line `hint: ...` with what to do,\n")
                .append("and (except for plain failures) `code: ARCA-<number>`. `wal-push`/`wal-fetch` never exit above 125.\n\n")
                .append("| exit | error code | name | retry may help | meaning |\n")
                .append("|---:|---|---|---|---|\n");
        for (ErrorCode c : values()) {
            sb.append("| ").append(c.exitCode).append(" | ARCA-").append(c.number).append(" | `").append(c.name())
                    .append("` | ").append(c.retryable ? "yes" : "no").append(" | ").append(c.description).append(" |\n");
        }
        sb.append("\nExit codes by number: 0 ok, 1 failure, 2 usage, 3 partial, 10 no repository, 11 lock held,\n")
                .append("12 key or decryption failure, 13 storage access, 14 PostgreSQL connection, 15 verification failed.\n");
        return sb.toString();
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

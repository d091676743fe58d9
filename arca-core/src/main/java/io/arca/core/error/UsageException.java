package io.arca.core.error;

/**
 * Bad input from the user: an option value, an argument or a setting that cannot be used. Front
 * ends report it as {@link ErrorCode#USAGE} (exit 2) with its hint, or with a pointer to the
 * command's help when it has none.
 *
 * <p>It extends {@link IllegalArgumentException} so that parsers of user input keep their
 * contract (a caller that catches invalid input as {@code IllegalArgumentException} still does),
 * while any other {@code IllegalArgumentException} that escapes to a front end is what it is: a
 * bug in Arca, reported as {@link ErrorCode#INTERNAL}, never as the user's mistake.
 */
public class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String hint;

    public UsageException(String message) {
        this(message, null, null);
    }

    public UsageException(String message, Throwable cause) {
        this(message, null, cause);
    }

    public UsageException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the user can do about it, or {@code null} (then front ends point to the help). */
    public String hint() {
        return hint;
    }

    /** The error code front ends report: always {@link ErrorCode#USAGE}. */
    public ErrorCode code() {
        return ErrorCode.USAGE;
    }
}

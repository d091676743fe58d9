package io.arca.core.error;

import java.util.Objects;

/**
 * The one exception type Arca raises for expected failures. The message is one lowercase line
 * that names the thing (quoting ids, URLs and paths); the hint says what the user can do.
 */
public class ArcaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String hint;

    public ArcaException(ErrorCode code, String message, String hint, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.hint = hint;
    }

    public ArcaException(ErrorCode code, String message, String hint) {
        this(code, message, hint, null);
    }

    public ArcaException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public ErrorCode code() {
        return code;
    }

    /** What the user can do about it, or {@code null}. */
    public String hint() {
        return hint;
    }
}

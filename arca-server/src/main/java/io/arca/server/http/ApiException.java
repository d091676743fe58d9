package io.arca.server.http;

import io.arca.core.error.ErrorCode;

/**
 * A request the API answers with an error: the HTTP status and the JSON body
 * {@code {"error": {"code": "ARCA-1002", "message": ..., "hint": ...}}}.
 */
class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String hint;

    ApiException(int status, String code, String message, String hint) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.hint = hint;
    }

    ApiException(int status, ErrorCode code, String message, String hint) {
        this(status, "ARCA-" + code.number(), message, hint);
    }

    static ApiException badRequest(String message, String hint) {
        return new ApiException(400, ErrorCode.USAGE, message, hint);
    }

    static ApiException notFound(String message, String hint) {
        return new ApiException(404, ErrorCode.API_NOT_FOUND, message, hint);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String hint() {
        return hint;
    }
}

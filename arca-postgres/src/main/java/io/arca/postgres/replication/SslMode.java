package io.arca.postgres.replication;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.util.Locale;

/** libpq's {@code sslmode}: whether to use TLS and how far to trust the server's certificate. */
enum SslMode {
    /** No TLS. */
    DISABLE,
    /** Plain first; TLS if the server rejects the plain connection. */
    ALLOW,
    /** TLS when the server offers it, plain otherwise; any certificate (the default). */
    PREFER,
    /** TLS or fail; any certificate (unless {@code sslrootcert} is given, as libpq does). */
    REQUIRE,
    /** TLS with a certificate signed by the {@code sslrootcert} CA. */
    VERIFY_CA,
    /** As {@link #VERIFY_CA}, and the certificate must name the host connected to. */
    VERIFY_FULL;

    static SslMode parse(String value) {
        if (value == null || value.isEmpty()) {
            return PREFER;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "disable" -> DISABLE;
            case "allow" -> ALLOW;
            case "prefer" -> PREFER;
            case "require" -> REQUIRE;
            case "verify-ca" -> VERIFY_CA;
            case "verify-full" -> VERIFY_FULL;
            default -> throw new ArcaException(ErrorCode.USAGE, "invalid sslmode '" + value + "'",
                    "use one of disable, allow, prefer, require, verify-ca, verify-full");
        };
    }
}

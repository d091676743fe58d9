package io.arca.postgres.local;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;

/**
 * Opens JDBC connections and maps connection failures to Arca error codes, so that the user
 * reads "connection refused" or "password authentication failed" instead of a driver stack
 * trace.
 */
public final class PgConnections {

    private static final String PASSWORD_HINT =
            "set the password in PGPASSWORD or ARCA_DB_PASSWORD, or add it to ~/.pgpass";
    private static final String REACH_HINT =
            "check that the server is running and that host and port are right";

    private PgConnections() {
    }

    /**
     * Opens a connection (auto-commit on, as the driver sets it). The attempt is bounded by
     * {@link ConnectionSettings#connectTimeoutSeconds()}: the TCP connect, each read of the login
     * and the login as a whole; once connected, reads wait as long as statements take (bound
     * those with {@code statement_timeout} and {@code lock_timeout}).
     *
     * @throws ArcaException {@link ErrorCode#PG_CONNECTION} when the server cannot be reached
     *     (refused, unknown host, timeout, server starting or shutting down, too many
     *     connections); {@link ErrorCode#PG_AUTHENTICATION} when it rejects the credentials or
     *     the client ({@code pg_hba.conf}); {@link ErrorCode#PG_DATABASE_MISSING} when the
     *     database does not exist; {@link ErrorCode#USAGE} for a socket-directory host
     */
    public static Connection open(ConnectionSettings settings) {
        String url = settings.jdbcUrl();
        try {
            // The driver directly: DriverManager depends on the context class loader and on
            // every other registered driver.
            Connection c = new org.postgresql.Driver().connect(url, settings.jdbcProperties());
            if (c == null) {
                throw new ArcaException(ErrorCode.INTERNAL, "pgjdbc rejected the url '" + url + "'");
            }
            return c;
        } catch (SQLException e) {
            throw map(settings, e);
        }
    }

    /** The Arca error for a failure to connect with {@code settings}. */
    public static ArcaException map(ConnectionSettings settings, SQLException e) {
        String where = "'" + settings.hostAndPort() + "'";
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String text = e.getMessage() == null ? "" : e.getMessage();
        String lower = text.toLowerCase(Locale.ROOT);
        if (state.equals("28P01") || lower.contains("password authentication failed")) {
            return new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    "password authentication failed for user '" + settings.user() + "' at " + where,
                    PASSWORD_HINT, e);
        }
        if (lower.contains("no password was provided")) {
            return new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    "no password for user '" + settings.user() + "' at " + where
                            + ", but the server asks for one", PASSWORD_HINT, e);
        }
        if (state.equals("28000")) {
            return new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    "server at " + where + " rejected user '" + settings.user() + "': " + firstLine(text),
                    "check the user name, and that pg_hba.conf on the server allows this client", e);
        }
        if (state.equals("3D000")) {
            return new ArcaException(ErrorCode.PG_DATABASE_MISSING,
                    "database '" + settings.database() + "' does not exist at " + where,
                    "check the database name in the URL, or create the database first", e);
        }
        Throwable cause = rootCause(e);
        String reason = null;
        if (cause instanceof ConnectException) {
            reason = "connection refused";
        } else if (cause instanceof UnknownHostException) {
            reason = "unknown host '" + settings.host() + "'";
        } else if (cause instanceof SocketTimeoutException || lower.contains("timed out")) {
            int seconds = settings.connectTimeoutSeconds();
            return new ArcaException(ErrorCode.PG_CONNECTION,
                    "cannot connect to PostgreSQL at " + where + ": "
                            + (seconds > 0 ? "no answer within " + seconds + "s (connect_timeout)" : "connection timed out"),
                    "check that " + settings.hostAndPort() + " is a PostgreSQL server that is running and not"
                            + " overloaded; to wait longer, add ?connect_timeout=SECONDS to the URL", e);
        } else if (cause instanceof NoRouteToHostException) {
            reason = "no route to host";
        } else if (state.startsWith("08") || state.equals("57P03") || state.equals("53300")) {
            reason = firstLine(text);
        }
        if (reason != null) {
            return new ArcaException(ErrorCode.PG_CONNECTION,
                    "cannot connect to PostgreSQL at " + where + ": " + reason, REACH_HINT, e);
        }
        return new ArcaException(ErrorCode.PG_CONNECTION,
                "cannot connect to PostgreSQL at " + where + ": " + firstLine(text)
                        + (state.isEmpty() ? "" : " (sqlstate " + state + ")"),
                REACH_HINT, e);
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.isEmpty() ? line : Character.toLowerCase(line.charAt(0)) + line.substring(1);
    }
}

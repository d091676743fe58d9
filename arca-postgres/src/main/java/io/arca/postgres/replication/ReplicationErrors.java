package io.arca.postgres.replication;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ConnectionSettings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns what the server or the transport says into {@link ArcaException}s: one lowercase line
 * naming the server and carrying the server's message and SQLSTATE, and a hint. The password
 * never appears: nothing here sees it.
 */
final class ReplicationErrors {

    static final String PASSWORD_HINT =
            "set the password in PGPASSWORD or ARCA_DB_PASSWORD, or add it to ~/.pgpass";
    private static final String REACH_HINT = "check that the server is running and that host and port are right";

    private ReplicationErrors() {
    }

    /** An ErrorResponse while connecting (startup and authentication). */
    static ArcaException atConnect(ConnectionSettings s, ServerError e) {
        String where = where(s);
        String state = e.sqlState();
        String lower = e.message().toLowerCase(Locale.ROOT);
        String user = s.user();
        if (state.equals("28P01")) {
            return new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    "password authentication failed for user '" + user + "' at " + where + " (replication connection): "
                            + e.describe(), PASSWORD_HINT);
        }
        if (state.equals("28000") && lower.contains("no pg_hba.conf entry")) {
            return new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    "server at " + where + " does not allow replication connections for user '" + user + "': "
                            + e.describe(),
                    "add a line like 'host replication " + user + " <client address>/32 scram-sha-256' (hostssl for"
                            + " TLS only) to pg_hba.conf on the server, then reload it with SELECT pg_reload_conf()");
        }
        if (state.equals("28000")) {
            return new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    "server at " + where + " rejected replication user '" + user + "': " + e.describe(),
                    join(e.hint(), "check the user name, and that pg_hba.conf on the server allows replication"
                            + " connections from this client"));
        }
        if (state.equals("42501") || lower.contains("must be superuser or replication role")
                || lower.contains("start wal sender")) {
            return new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    "user '" + user + "' may not open replication connections at " + where + ": " + e.describe(),
                    "grant the REPLICATION attribute: ALTER ROLE " + quoteIdent(user)
                            + " REPLICATION (or connect as a superuser)");
        }
        if (state.equals("53300") && lower.contains("max_wal_senders")) {
            return new ArcaException(ErrorCode.PG_CONNECTION,
                    "no free WAL sender at " + where + ": " + e.describe(),
                    "raise max_wal_senders on the server (needs a restart), or wait for other replication"
                            + " connections (standbys, backups) to end");
        }
        if (state.equals("3D000")) {
            return new ArcaException(ErrorCode.PG_DATABASE_MISSING,
                    "database '" + s.database() + "' does not exist at " + where + ": " + e.describe(),
                    "check the database name in the URL");
        }
        return new ArcaException(ErrorCode.PG_CONNECTION,
                "cannot open a replication connection to PostgreSQL at " + where + ": " + e.describe(),
                join(e.hint(), REACH_HINT));
    }

    /** An ErrorResponse in answer to a replication command. */
    static ArcaException inCommand(ConnectionSettings s, String command, ServerError e) {
        String state = e.sqlState();
        ErrorCode code = state.startsWith("08") || state.startsWith("57P") || state.equals("53300")
                ? ErrorCode.PG_CONNECTION : ErrorCode.FAILURE;
        String hint = e.hint();
        if (hint == null) {
            hint = e.detail() != null ? "server detail: " + e.detail() + "; see the server log"
                    : "see the PostgreSQL server log at " + where(s) + " for details";
        }
        return new ArcaException(code, command + " failed at " + where(s) + ": " + e.describe(), hint);
    }

    /** A transport failure (refused, timeout, TLS, reset) while {@code doing}. */
    static ArcaException transport(ConnectionSettings s, String doing, IOException e) {
        String reason;
        String hint = REACH_HINT;
        if (e instanceof ConnectException) {
            reason = "connection refused";
        } else if (e instanceof UnknownHostException) {
            reason = "unknown host '" + s.host() + "'";
        } else if (e instanceof SocketTimeoutException) {
            // as PgConnections says it: a silent server reads the same from either client
            reason = s.connectTimeoutSeconds() > 0
                    ? "no answer within " + s.connectTimeoutSeconds() + "s (connect_timeout)" : "timed out";
            hint = "check that " + s.hostAndPort() + " is a PostgreSQL server that is running and not overloaded;"
                    + " to wait longer, add ?connect_timeout=SECONDS to the URL";
        } else if (e instanceof NoRouteToHostException) {
            reason = "no route to host";
        } else if (e instanceof SSLException) {
            reason = "TLS failed: " + oneLine(e);
            hint = "check sslmode and sslrootcert (the CA that signed the server's certificate) in the URL";
        } else {
            reason = oneLine(e);
        }
        return new ArcaException(ErrorCode.PG_CONNECTION,
                doing + " PostgreSQL at " + where(s) + ": " + reason, hint, e);
    }

    /** The server broke the protocol outside a base backup's data. */
    static ArcaException protocol(ConnectionSettings s, String doing, IOException e) {
        return new ArcaException(ErrorCode.FAILURE,
                "protocol error " + doing + " PostgreSQL at " + where(s) + ": " + oneLine(e),
                "check that host and port point at a PostgreSQL server (13 or newer)", e);
    }

    /** A base backup's stream is not what the protocol promises. */
    static ArcaException malformed(ConnectionSettings s, String what) {
        return new ArcaException(ErrorCode.VERIFICATION_FAILED,
                "malformed base backup stream from PostgreSQL at " + where(s) + ": " + what,
                "take the backup again; if it keeps failing, report the server version and this message");
    }

    static String where(ConnectionSettings s) {
        return "'" + s.hostAndPort() + "'";
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : ServerError.oneLine(m);
    }

    private static String join(String serverHint, String ours) {
        return serverHint == null ? ours : serverHint + "; " + ours;
    }

    private static String quoteIdent(String name) {
        return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }
}

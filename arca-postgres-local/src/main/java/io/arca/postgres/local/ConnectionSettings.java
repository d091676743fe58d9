package io.arca.postgres.local;

import io.arca.core.error.UsageException;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where and as whom to connect to PostgreSQL, usable both for JDBC and for libpq programs
 * ({@code pg_dump -d}).
 *
 * <p>{@code parameters} holds the URL's other query parameters ({@code sslmode}, {@code
 * sslrootcert}, {@code connect_timeout}, ...) in the order given; they are passed to libpq
 * programs verbatim and, where pgjdbc has an equivalent, to JDBC. {@code password} is {@code
 * null} when unknown; it never appears in {@link #toString()}, {@link #describe()} or {@link
 * #libpqConninfo()}, only in {@link #libpqEnvironment()} and {@link #jdbcProperties()}. A
 * {@code host} starting with {@code /} is a Unix-domain socket directory, which libpq programs
 * accept and JDBC does not.
 */
public record ConnectionSettings(String host, int port, String user, String database,
                                 String password, Map<String, String> parameters) {

    public static final int DEFAULT_PORT = 5432;
    /** Seconds to wait for a connection unless {@code connect_timeout} says otherwise. */
    public static final String DEFAULT_CONNECT_TIMEOUT = "10";
    public static final String APPLICATION_NAME = "arca";

    private static final String EXPECTED_FORM =
            "use postgresql://USER@HOST:PORT/DATABASE?sslmode=..., e.g. postgresql://app@db.example.com:5432/app";

    // pgjdbc's property for each libpq parameter that has one.
    private static final Map<String, String> JDBC_EQUIVALENTS = Map.of(
            "sslmode", "sslmode",
            "sslrootcert", "sslrootcert",
            "sslcert", "sslcert",
            "sslkey", "sslkey",
            "sslpassword", "sslpassword",
            "options", "options",
            "target_session_attrs", "targetServerType");
    private static final Set<String> URL_KEYWORDS = Set.of("host", "hostaddr", "port", "user", "password", "dbname");
    /**
     * The query parameters Arca passes on: libpq's connection parameters (PostgreSQL 13 to 18)
     * except those Arca sets itself ({@code replication}) or could not honour on its JDBC and
     * replication connections ({@code service}, which names other settings in a file only libpq
     * reads). Anything else is refused before connecting, rather than failing later in {@code
     * pg_dump} with "invalid connection option".
     */
    public static final Set<String> ACCEPTED_PARAMETERS = Collections.unmodifiableSet(new TreeSet<>(Set.of(
            "application_name", "fallback_application_name", "connect_timeout", "client_encoding", "options",
            "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
            "sslmode", "sslnegotiation", "sslcompression", "sslcert", "sslkey", "sslpassword", "sslcertmode",
            "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "ssl_min_protocol_version", "ssl_max_protocol_version",
            "requirepeer", "require_auth", "channel_binding", "gssencmode", "gssdelegation", "krbsrvname", "gsslib",
            "target_session_attrs", "load_balance_hosts", "passfile")));
    // Parameters whose value is one of a few words (libpq compares them case-sensitively).
    private static final Map<String, List<String>> ENUMERATED = Map.of(
            "sslmode", List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
            "gssencmode", List.of("disable", "prefer", "require"),
            "channel_binding", List.of("disable", "prefer", "require"),
            "target_session_attrs", List.of("any", "read-write", "read-only", "primary", "standby", "prefer-standby"),
            "sslnegotiation", List.of("postgres", "direct"),
            "sslcertmode", List.of("disable", "allow", "require"),
            "load_balance_hosts", List.of("disable", "random"));
    // Parameters whose value is a whole number of seconds (or a count), 0 or more.
    private static final Set<String> NUMERIC = Set.of("connect_timeout", "keepalives", "keepalives_idle",
            "keepalives_interval", "keepalives_count", "tcp_user_timeout", "sslcompression", "sslsni", "gssdelegation");
    /** libpq's smallest connection timeout: a {@code connect_timeout} of 1 waits 2 seconds. */
    private static final int MIN_CONNECT_TIMEOUT_SECONDS = 2;

    public ConnectionSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(database, "database");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        parameters = parameters == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Parses a {@code postgresql://} or {@code postgres://} URL as libpq does: {@code
     * postgresql://user:password@host:port/database?param=value}, every part optional and
     * percent-encoded; query parameters {@code host}, {@code port}, {@code user}, {@code
     * password} and {@code dbname} override the corresponding URL part.
     *
     * <p>What the URL leaves out comes from {@code env}: {@code PGHOST} (else {@code localhost}),
     * {@code PGPORT} (else 5432), {@code PGUSER} (else {@code USER}, else the JVM's user), {@code
     * PGDATABASE} (else the user name), {@code PGSSLMODE}. The password comes from the URL, else
     * {@code ARCA_DB_PASSWORD}, else {@code PGPASSWORD}, else the password file ({@code
     * PGPASSFILE}, else {@code ~/.pgpass}), else stays {@code null}. A {@code null} or blank url
     * takes everything from the environment.
     *
     * @throws ArcaException {@link ErrorCode#USAGE} for a malformed URL, with the expected form
     *     in the hint; the message never shows the password
     */
    public static ConnectionSettings parse(String url, Map<String, String> env) {
        String host = null;
        String port = null;
        String user = null;
        String password = null;
        String database = null;
        Map<String, String> params = new LinkedHashMap<>();
        if (url != null && !url.isBlank()) {
            String rest;
            if (url.startsWith("postgresql://")) {
                rest = url.substring("postgresql://".length());
            } else if (url.startsWith("postgres://")) {
                rest = url.substring("postgres://".length());
            } else {
                throw bad(url, "invalid PostgreSQL URL '" + redact(url) + "'");
            }
            int q = rest.indexOf('?');
            String query = q >= 0 ? rest.substring(q + 1) : "";
            rest = q >= 0 ? rest.substring(0, q) : rest;
            int slash = rest.indexOf('/');
            String authority = slash >= 0 ? rest.substring(0, slash) : rest;
            String path = slash >= 0 ? rest.substring(slash + 1) : "";
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                String userInfo = authority.substring(0, at);
                authority = authority.substring(at + 1);
                int colon = userInfo.indexOf(':');
                user = emptyToNull(decode(url, colon >= 0 ? userInfo.substring(0, colon) : userInfo));
                if (colon >= 0) {
                    password = decode(url, userInfo.substring(colon + 1));
                }
            }
            if (authority.contains(",")) {
                throw bad(url, "PostgreSQL URL '" + redact(url) + "' names several hosts; Arca connects to one");
            }
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                if (close < 0) {
                    throw bad(url, "invalid IPv6 host in PostgreSQL URL '" + redact(url) + "'");
                }
                host = authority.substring(1, close);
                String after = authority.substring(close + 1);
                if (after.startsWith(":")) {
                    port = after.substring(1);
                } else if (!after.isEmpty()) {
                    throw bad(url, "invalid host in PostgreSQL URL '" + redact(url) + "'");
                }
            } else {
                int colon = authority.lastIndexOf(':');
                host = decode(url, colon >= 0 ? authority.substring(0, colon) : authority);
                if (colon >= 0) {
                    port = authority.substring(colon + 1);
                }
            }
            host = emptyToNull(host);
            port = emptyToNull(port);
            database = emptyToNull(decode(url, path));
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw bad(url, "invalid parameter '" + (pair.startsWith("password") ? "password" : pair)
                            + "' in PostgreSQL URL '" + redact(url) + "'");
                }
                String key = decode(url, pair.substring(0, eq));
                String value = decode(url, pair.substring(eq + 1));
                switch (key) {
                    case "host", "hostaddr" -> host = value;
                    case "port" -> port = value;
                    case "user" -> user = value;
                    case "password" -> password = value;
                    case "dbname" -> database = value;
                    default -> params.put(key, value);
                }
            }
        }
        if (host == null) {
            host = nonBlank(env.get("PGHOST"), "localhost");
        }
        int portNumber = parsePort(url, port != null ? port : env.get("PGPORT"));
        if (user == null) {
            user = nonBlank(env.get("PGUSER"), nonBlank(env.get("USER"), System.getProperty("user.name")));
        }
        if (database == null) {
            database = nonBlank(env.get("PGDATABASE"), user);
        }
        params.forEach((key, value) -> checkParameter(url, key, value, "in PostgreSQL URL '" + redact(url) + "'"));
        if (!params.containsKey("sslmode") && env.get("PGSSLMODE") != null) {
            params.put("sslmode", env.get("PGSSLMODE"));
            checkParameter(url, "sslmode", env.get("PGSSLMODE"), "in PGSSLMODE");
        }
        if (password == null) {
            password = env.get("ARCA_DB_PASSWORD");
        }
        if (password == null) {
            password = env.get("PGPASSWORD");
        }
        if (password == null) {
            password = PgPass.read(passFile(params, env)).lookup(host, portNumber, database, user).orElse(null);
        }
        return new ConnectionSettings(host, portNumber, user, database, password, params);
    }

    /** As {@link #parse(String, Map)} with the process environment. */
    public static ConnectionSettings parse(String url) {
        return parse(url, System.getenv());
    }

    /** The same connection to another database on the same server. */
    public ConnectionSettings withDatabase(String otherDatabase) {
        return new ConnectionSettings(host, port, user, otherDatabase, password, parameters);
    }

    /** The same connection with another password ({@code null}: none). */
    public ConnectionSettings withPassword(String otherPassword) {
        return new ConnectionSettings(host, port, user, database, otherPassword, parameters);
    }

    /** {@code host:port}, IPv6 hosts in brackets: for messages. */
    public String hostAndPort() {
        return hostForUrl() + ":" + port;
    }

    /** {@code postgresql://user@host:port/db}: safe to log, never holds the password. */
    public String describe() {
        return "postgresql://" + user + "@" + hostAndPort() + "/" + database;
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * A libpq connection string for {@code pg_dump -d} and friends: {@code host='h' port='5432'
     * user='u' dbname='d'} followed by the parameters, values single-quoted with {@code \} and
     * {@code '} escaped. Never includes the password: see {@link #libpqEnvironment()}.
     */
    public String libpqConninfo() {
        StringBuilder sb = new StringBuilder();
        appendKeyword(sb, "host", host);
        appendKeyword(sb, "port", Integer.toString(port));
        appendKeyword(sb, "user", user);
        appendKeyword(sb, "dbname", database);
        parameters.forEach((k, v) -> {
            if (!URL_KEYWORDS.contains(k)) {
                appendKeyword(sb, k, v);
            }
        });
        return sb.toString();
    }

    /**
     * Environment variables for a libpq program: {@code PGPASSWORD} when the password is known
     * (the environment does not show in {@code ps}, the command line does), {@code
     * PGAPPNAME=arca}, and {@code PGCONNECT_TIMEOUT=10} unless the URL set {@code connect_timeout}.
     */
    public Map<String, String> libpqEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        env.put("PGAPPNAME", APPLICATION_NAME);
        if (!parameters.containsKey("connect_timeout")) {
            env.put("PGCONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT);
        }
        return Collections.unmodifiableMap(env);
    }

    /**
     * How long to wait for a connection, in seconds, as libpq counts it: {@code connect_timeout}
     * when given (at least 2; 0 waits forever), else {@value #DEFAULT_CONNECT_TIMEOUT}. It bounds
     * the whole attempt: the TCP connect, the TLS handshake and the server's answers up to the
     * end of authentication.
     */
    public int connectTimeoutSeconds() {
        String value = parameters.get("connect_timeout");
        int seconds = value == null ? Integer.parseInt(DEFAULT_CONNECT_TIMEOUT) : parseSeconds(value);
        return seconds <= 0 ? 0 : Math.max(seconds, MIN_CONNECT_TIMEOUT_SECONDS);
    }

    private static int parseSeconds(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("invalid connect_timeout '" + value + "'",
                    "give connect_timeout in whole seconds, e.g. connect_timeout=10", e);
        }
    }

    /**
     * {@code jdbc:postgresql://host:port/database}.
     *
     * @throws ArcaException {@link ErrorCode#USAGE} for a Unix-domain socket host, which pgjdbc
     *     cannot reach
     */
    public String jdbcUrl() {
        if (host.startsWith("/")) {
            throw new ArcaException(ErrorCode.USAGE,
                    "cannot connect over JDBC to the Unix-domain socket directory '" + host + "'",
                    "give a TCP host and port, e.g. postgresql://" + user + "@localhost:" + port + "/" + database);
        }
        return "jdbc:postgresql://" + hostForUrl() + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Properties for pgjdbc: {@code user}, {@code password} (when known), {@code
     * ApplicationName} ({@code arca} unless {@code application_name} is set), {@code
     * connectTimeout} and {@code loginTimeout} ({@link #connectTimeoutSeconds()}: the TCP connect
     * and the whole login, so a server that accepts the connection and never answers cannot hold
     * Arca), and the SSL and other parameters pgjdbc understands; the others are libpq-only and
     * left out. No {@code socketTimeout}: a replication stream or a long statement may be quiet
     * for long; {@link PgConnections#open} bounds the reads of the login itself.
     */
    public Properties jdbcProperties() {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", parameters.getOrDefault("application_name", APPLICATION_NAME));
        int timeout = connectTimeoutSeconds();
        props.setProperty("connectTimeout", Integer.toString(timeout));
        if (timeout > 0) {
            props.setProperty("loginTimeout", Integer.toString(timeout));
        }
        parameters.forEach((k, v) -> {
            String jdbcName = JDBC_EQUIVALENTS.get(k);
            if (jdbcName != null) {
                props.setProperty(jdbcName, v);
            }
        });
        return props;
    }

    private String hostForUrl() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static void appendKeyword(StringBuilder sb, String key, String value) {
        if (sb.length() > 0) {
            sb.append(' ');
        }
        sb.append(key).append("='")
                .append(value.replace("\\", "\\\\").replace("'", "\\'"))
                .append('\'');
    }

    private static Path passFile(Map<String, String> params, Map<String, String> env) {
        String file = params.containsKey("passfile") ? params.get("passfile") : env.get("PGPASSFILE");
        if (file != null && !file.isEmpty()) {
            return Path.of(file);
        }
        String home = nonBlank(env.get("HOME"), System.getProperty("user.home"));
        return Path.of(home, ".pgpass");
    }

    private static int parsePort(String url, String port) {
        if (port == null || port.isBlank()) {
            return DEFAULT_PORT;
        }
        try {
            int p = Integer.parseInt(port.trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(url, "invalid port '" + port + "'" + (url == null || url.isBlank() ? " in PGPORT"
                : " in PostgreSQL URL '" + redact(url) + "'"));
    }

    private static String decode(String url, String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw bad(url, "invalid percent-encoding in PostgreSQL URL '" + redact(url) + "'");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw bad(url, "invalid percent-encoding in PostgreSQL URL '" + redact(url) + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The URL with any password replaced by {@code ***}, for messages. */
    static String redact(String url) {
        if (url == null) {
            return "";
        }
        String redacted = url.replaceAll("(?<=://)([^/@?]*?):[^/?]*@", "$1:***@");
        return redacted.replaceAll("([?&]password=)[^&]*", "$1***");
    }

    private static ArcaException bad(String url, String message) {
        return new ArcaException(ErrorCode.USAGE, message, EXPECTED_FORM);
    }

    /** Refuses a parameter libpq does not know or a value it would reject, before anything connects. */
    private static void checkParameter(String url, String key, String value, String where) {
        if (!ACCEPTED_PARAMETERS.contains(key)) {
            throw new ArcaException(ErrorCode.USAGE, "unknown connection parameter '" + key + "' " + where,
                    "use the parameters libpq knows: " + String.join(", ", ACCEPTED_PARAMETERS));
        }
        List<String> words = ENUMERATED.get(key);
        if (words != null && !words.contains(value)) {
            throw new ArcaException(ErrorCode.USAGE, "invalid " + key + " '" + value + "' " + where,
                    "use " + key + "=" + String.join(", ", words).replaceAll(", ([^,]*)$", " or $1"));
        }
        if (NUMERIC.contains(key) && !value.strip().matches("\\d{1,9}")) {
            throw new ArcaException(ErrorCode.USAGE, "invalid " + key + " '" + value + "' " + where,
                    key.equals("connect_timeout") ? "give connect_timeout in whole seconds, e.g. connect_timeout=10"
                            : "give " + key + " as a whole number, 0 or more");
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String nonBlank(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }
}

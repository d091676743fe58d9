package io.arca.postgres.replication;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.StringPreparation;
import com.ongres.scram.common.exception.ScramException;
import com.ongres.scram.common.util.TlsServerEndpoint;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.local.ConnectionSettings;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * A physical replication connection to PostgreSQL (a WAL sender), speaking the frontend/backend
 * protocol 3.0 directly: enough for {@code IDENTIFY_SYSTEM}, {@code TIMELINE_HISTORY} and
 * {@code BASE_BACKUP}.
 *
 * <p>Why not pgjdbc: its replication API streams WAL but cannot run {@code BASE_BACKUP}, whose
 * answer (result sets, then COPY OUT data carrying tar archives and the manifest) the driver
 * has no way to hand out; and {@code pg_basebackup} would need a client of a fitting version and
 * a local copy of the backup. This class streams the archives from the socket instead.
 *
 * <p>Connecting follows libpq: startup parameters {@code user}, {@code database}, {@code
 * replication=true}, {@code application_name} ({@code arca} unless the URL sets one) and {@code
 * client_encoding=UTF8}; {@code sslmode} {@code disable}, {@code allow}, {@code prefer} (the
 * default), {@code require}, {@code verify-ca} or {@code verify-full} with {@code sslrootcert}
 * (see {@link Tls}); {@code connect_timeout} in seconds (default 10, 0 waits forever) for each
 * step of connecting; authentication {@code trust}, {@code password}, {@code md5} or {@code
 * SCRAM-SHA-256} (with {@code tls-server-end-point} channel binding when the server offers
 * {@code SCRAM-SHA-256-PLUS} over TLS). A host starting with {@code /} is a Unix-domain socket
 * directory ({@code <dir>/.s.PGSQL.<port>}), where, as in libpq, TLS is never used. Once
 * connected there is no read timeout (a fast checkpoint on a busy server can take long); TCP
 * keepalive is on.
 *
 * <p>Errors are {@link ArcaException}s: {@link ErrorCode#PG_CONNECTION} when the server cannot
 * be reached or TLS is required and refused or fails; {@link ErrorCode#PG_AUTHENTICATION} for
 * wrong or missing credentials, a {@code pg_hba.conf} without a {@code replication} entry for
 * this client, or a role without the {@code REPLICATION} attribute (the hint says what to grant
 * or add); {@link ErrorCode#FAILURE} for a failed command or a protocol violation. Messages
 * carry the server's message and SQLSTATE, never the password.
 *
 * <p>Not thread-safe, except that {@link #close()} may be called from another thread to abort.
 */
public final class ReplicationConnection implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ReplicationConnection.class.getName());
    private static final int PROTOCOL_3_0 = 196608;
    private static final int SSL_REQUEST_CODE = 80877103;
    private static final int MIN_TIMEOUT_SECONDS = 2;
    private static final Pattern VERSION = Pattern.compile("^(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");

    private final ConnectionSettings settings;
    private final PgWire wire;
    private final Transport transport;
    private final Map<String, String> parameters;
    private final int backendPid;
    private final String authentication;
    private final int serverVersionNum;
    private volatile boolean closed;
    private BaseBackup backup;

    private ReplicationConnection(ConnectionSettings settings, PgWire wire, Transport transport,
                                  Map<String, String> parameters, int backendPid, String authentication) {
        this.settings = settings;
        this.wire = wire;
        this.transport = transport;
        this.parameters = parameters;
        this.backendPid = backendPid;
        this.authentication = authentication;
        this.serverVersionNum = parseServerVersion(parameters.get("server_version"));
    }

    /**
     * Connects in physical replication mode and authenticates.
     *
     * @throws ArcaException {@link ErrorCode#PG_CONNECTION}, {@link ErrorCode#PG_AUTHENTICATION},
     *     {@link ErrorCode#USAGE} for invalid {@code sslmode}, {@code connect_timeout} or
     *     {@code sslrootcert}, {@link ErrorCode#FAILURE} when the other end does not speak the
     *     protocol
     */
    public static ReplicationConnection open(ConnectionSettings settings) {
        Objects.requireNonNull(settings, "settings");
        SslMode mode = SslMode.parse(settings.parameters().get("sslmode"));
        int timeoutMillis = connectTimeoutMillis(settings.parameters().get("connect_timeout"));
        if (settings.host().startsWith("/")) {
            return attempt(settings, Encryption.NONE, mode, timeoutMillis);
        }
        switch (mode) {
            case DISABLE:
                return attempt(settings, Encryption.NONE, mode, timeoutMillis);
            case ALLOW:
                try {
                    return attempt(settings, Encryption.NONE, mode, timeoutMillis);
                } catch (Rejected e) {
                    // The server refuses plain connections from here (hostssl): try TLS, as libpq does.
                    if (!e.error.sqlState().equals("28000")) {
                        throw e;
                    }
                    return attempt(settings, Encryption.REQUIRED, mode, timeoutMillis);
                }
            case PREFER:
                try {
                    return attempt(settings, Encryption.PREFERRED, mode, timeoutMillis);
                } catch (TlsFailed e) {
                    // The server offered TLS but the handshake failed: plain, as libpq does.
                    return attempt(settings, Encryption.NONE, mode, timeoutMillis);
                }
            default:
                return attempt(settings, Encryption.REQUIRED, mode, timeoutMillis);
        }
    }

    /**
     * A connection over streams already past authentication, as {@code parameters} describe the
     * server: lets tests script a server's messages byte for byte.
     */
    static ReplicationConnection overStreams(ConnectionSettings settings, InputStream in, OutputStream out,
                                             Map<String, String> parameters) {
        Transport none = new Transport(null, null);
        return new ReplicationConnection(settings, new PgWire(in, out, none::closeGracefully), none,
                new HashMap<>(parameters), 0, "trust");
    }

    /** The server version as a number, e.g. 150004 for 15.4 and 160000 for 16beta2. */
    public int serverVersionNum() {
        return serverVersionNum;
    }

    /** A run-time parameter the server reported (ParameterStatus), {@code null} if absent. */
    public String parameter(String name) {
        synchronized (parameters) {
            return parameters.get(name);
        }
    }

    /** True when the connection is encrypted with TLS. */
    public boolean isEncrypted() {
        return transport.tls != null;
    }

    /** The process id of the WAL sender serving this connection ({@code pg_stat_replication.pid}). */
    public int backendPid() {
        return backendPid;
    }

    /**
     * How the server authenticated this connection: {@code trust} (no request),
     * {@code password}, {@code md5}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-256-PLUS} (with
     * channel binding).
     */
    public String authentication() {
        return authentication;
    }

    /** Where this connection goes, for messages: {@code postgresql://user@host:port/db}. */
    public String describe() {
        return settings.describe();
    }

    /**
     * Runs {@code IDENTIFY_SYSTEM}.
     *
     * @throws ArcaException {@link ErrorCode#FAILURE} when the command fails, {@link
     *     ErrorCode#PG_CONNECTION} when the connection is lost
     */
    public SystemIdentity identifySystem() {
        ResultSet r = single(query("IDENTIFY_SYSTEM"), "IDENTIFY_SYSTEM");
        try {
            return new SystemIdentity(Long.parseUnsignedLong(r.text(0, "systemid")),
                    new TimelineId(Long.parseLong(r.text(0, "timeline"))), Lsn.parse(r.text(0, "xlogpos")));
        } catch (PgWire.ProtocolException | RuntimeException e) {
            throw malformedAnswer("IDENTIFY_SYSTEM", e);
        }
    }

    /**
     * Runs {@code SHOW setting} (walsenders answer it since PostgreSQL 10), e.g. {@code
     * wal_segment_size} gives {@code 16MB}.
     *
     * @throws IllegalArgumentException for a name that is not a plain setting name
     */
    public String show(String setting) {
        if (!setting.matches("[a-z_][a-z0-9_.]*")) {
            throw new IllegalArgumentException("invalid setting name '" + setting + "'");
        }
        ResultSet r = single(query("SHOW " + setting), "SHOW");
        try {
            return r.text(0, setting);
        } catch (PgWire.ProtocolException | RuntimeException e) {
            throw malformedAnswer("SHOW", e);
        }
    }

    /**
     * Runs {@code TIMELINE_HISTORY}: the content of timeline {@code tli}'s history file (there is
     * none for timeline 1).
     *
     * @throws ArcaException {@link ErrorCode#FAILURE} when the server has no such file
     */
    public byte[] timelineHistory(TimelineId tli) {
        ResultSet r = single(query("TIMELINE_HISTORY " + tli.value()), "TIMELINE_HISTORY");
        try {
            byte[] content = r.bytes(0, "content");
            if (content == null) {
                throw new PgWire.ProtocolException("no content");
            }
            return content;
        } catch (PgWire.ProtocolException e) {
            throw malformedAnswer("TIMELINE_HISTORY", e);
        }
    }

    /**
     * Starts {@code BASE_BACKUP} and reads its header (start position, tablespaces). Servers 15
     * and newer get the option-list syntax and answer with one COPY stream whose messages
     * announce each archive; servers 13 and 14 get the old syntax and send one COPY stream per
     * tablespace (in the order of the tablespace list, the main directory last) and one for the
     * manifest. {@link BaseBackup} hides the difference. Until the backup ends (or is closed)
     * this connection runs no other command.
     *
     * @throws ArcaException {@link ErrorCode#FAILURE} when the server refuses the backup (e.g. an
     *     unknown checksum algorithm) or is older than 13 and a manifest is asked for
     */
    public BaseBackup startBaseBackup(BaseBackupRequest request) {
        Objects.requireNonNull(request, "request");
        checkIdle();
        boolean newProtocol = serverVersionNum >= 150000;
        if (request.manifestChecksums() != null && serverVersionNum < 130000) {
            throw new ArcaException(ErrorCode.FAILURE,
                    "PostgreSQL " + parameter("server_version") + " at " + ReplicationErrors.where(settings)
                            + " cannot send a backup manifest",
                    "backup manifests need PostgreSQL 13 or newer");
        }
        String command = baseBackupCommand(request, newProtocol, serverVersionNum);
        try {
            wire.send(new PgWire.Builder('Q').cstring(command).build());
            Results results = readResults("BASE_BACKUP", -1, true);
            if (!results.copyStarted) {
                throw new PgWire.ProtocolException("the server answered BASE_BACKUP without sending any data");
            }
            ResultSet start = null;
            ResultSet spaces = null;
            for (ResultSet r : results.sets) {
                if (r.has("recptr") && start == null) {
                    start = r;
                } else if (r.has("spcoid")) {
                    spaces = r;
                }
            }
            if (start == null || spaces == null) {
                throw new PgWire.ProtocolException("BASE_BACKUP's header lacks the start position or the tablespaces");
            }
            Lsn startLsn = Lsn.parse(start.text(0, "recptr"));
            String tli = start.has("tli") ? start.text(0, "tli") : null;
            if (tli == null) {
                throw new PgWire.ProtocolException("no timeline with the backup start position");
            }
            TimelineId timeline = new TimelineId(Long.parseLong(tli.strip()));
            List<Tablespace> tablespaces = new ArrayList<>();
            for (int i = 0; i < spaces.size(); i++) {
                String oid = spaces.text(i, "spcoid");
                String location = spaces.text(i, "spclocation");
                String size = spaces.text(i, "size");
                tablespaces.add(new Tablespace(oid == null ? null : Long.parseLong(oid.strip()),
                        oid == null ? null : location, size == null ? -1 : Long.parseLong(size.strip()) * 1024));
            }
            backup = new BaseBackup(this, wire, newProtocol, !newProtocol, request.manifestChecksums() != null,
                    startLsn, timeline, tablespaces);
            return backup;
        } catch (PgWire.ProtocolException | RuntimeException e) {
            if (e instanceof ArcaException a) {
                throw a;
            }
            closeQuietly();
            throw ReplicationErrors.protocol(settings, "starting a base backup from",
                    e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        } catch (IOException e) {
            closeQuietly();
            throw ReplicationErrors.transport(settings, "lost the connection to", e);
        }
    }

    /** Sends Terminate and closes the socket; aborts a base backup in flight. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (backup == null) {
            try {
                wire.send(new PgWire.Builder('X').build());
            } catch (IOException e) {
                // Closing anyway.
            }
            transport.closeGracefully();
        } else {
            // A backup in flight: the server is busy sending, and another thread may be blocked
            // reading; drop the TCP connection under any TLS layer.
            transport.abort();
        }
    }

    @Override
    public String toString() {
        return "ReplicationConnection[" + settings.describe() + (closed ? ", closed" : "") + "]";
    }

    // ---- for BaseBackup -----------------------------------------------------------------

    ConnectionSettings settings() {
        return settings;
    }

    boolean isClosed() {
        return closed;
    }

    /** The base backup ended (successfully or not, with the connection ready for queries). */
    void backupEnded(BaseBackup b) {
        if (backup == b) {
            backup = null;
        }
    }

    void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            // Already failing.
        }
    }

    /** Records a ParameterStatus (the current message's body). */
    void parameterStatus(PgWire.Body body) throws PgWire.ProtocolException {
        String name = body.cstring();
        String value = body.cstring();
        synchronized (parameters) {
            parameters.put(name, value);
        }
    }

    /** Logs a NoticeResponse (the current message's body). */
    void notice(PgWire.Body body) throws PgWire.ProtocolException {
        ServerError n = ServerError.parse(body);
        LOG.log(System.Logger.Level.DEBUG, () -> "PostgreSQL at " + settings.hostAndPort() + ": " + n.severity()
                + " " + n.describe());
    }

    /**
     * Reads result sets until ReadyForQuery, or (with {@code stopAtCopy}) until a CopyOutResponse.
     *
     * @param firstType the type of a message whose header is already read, or -1
     * @throws ArcaException from an ErrorResponse, once the server is ready again
     */
    Results readResults(String command, int firstType, boolean stopAtCopy) throws IOException {
        List<ResultSet> sets = new ArrayList<>();
        ResultSet current = null;
        ServerError error = null;
        int t = firstType >= 0 ? firstType : wire.next();
        while (true) {
            switch (t) {
                case 'T' -> {
                    if (current != null) {
                        sets.add(current);
                    }
                    current = ResultSet.parseRowDescription(wire.body());
                }
                case 'D' -> {
                    if (current == null) {
                        throw new PgWire.ProtocolException("data row without a row description");
                    }
                    current.addDataRow(wire.body());
                }
                case 'C', 'I' -> {
                    if (current != null) {
                        sets.add(current);
                        current = null;
                    }
                }
                case 'E' -> error = ServerError.parse(wire.body());
                case 'N' -> notice(wire.body());
                case 'S' -> parameterStatus(wire.body());
                case 'A' -> wire.skipRemaining();
                case 'H' -> {
                    if (!stopAtCopy || error != null) {
                        throw new PgWire.ProtocolException("unexpected COPY OUT in answer to " + command);
                    }
                    if (current != null) {
                        sets.add(current);
                    }
                    wire.skipRemaining();
                    return new Results(sets, true);
                }
                case 'Z' -> {
                    wire.skipRemaining();
                    if (error != null) {
                        throw ReplicationErrors.inCommand(settings, command, error);
                    }
                    if (current != null) {
                        sets.add(current);
                    }
                    return new Results(sets, false);
                }
                default -> throw new PgWire.ProtocolException(
                        "unexpected message type '" + (char) t + "' in answer to " + command);
            }
            t = wire.next();
        }
    }

    record Results(List<ResultSet> sets, boolean copyStarted) {
    }

    // ---- commands -----------------------------------------------------------------------

    private List<ResultSet> query(String command) {
        checkIdle();
        try {
            wire.send(new PgWire.Builder('Q').cstring(command).build());
            return readResults(command.split(" ")[0], -1, false).sets;
        } catch (PgWire.ProtocolException e) {
            closeQuietly();
            throw ReplicationErrors.protocol(settings, "running " + command.split(" ")[0] + " on", e);
        } catch (IOException e) {
            closeQuietly();
            throw ReplicationErrors.transport(settings, "lost the connection to", e);
        }
    }

    private ResultSet single(List<ResultSet> sets, String command) {
        if (sets.isEmpty() || sets.get(0).size() < 1) {
            throw malformedAnswer(command, new PgWire.ProtocolException("no result row"));
        }
        return sets.get(0);
    }

    private ArcaException malformedAnswer(String command, Exception e) {
        return new ArcaException(ErrorCode.FAILURE, "unexpected answer to " + command + " from PostgreSQL at "
                + ReplicationErrors.where(settings) + ": " + e.getMessage(),
                "check that the server is PostgreSQL 13 or newer", e);
    }

    private void checkIdle() {
        if (closed) {
            throw new IllegalStateException("the replication connection to " + settings.describe() + " is closed");
        }
        if (backup != null) {
            throw new IllegalStateException("a base backup is running on this connection; finish or close it first");
        }
    }

    static String baseBackupCommand(BaseBackupRequest r, boolean newSyntax, int versionNum) {
        List<String> options = new ArrayList<>();
        String label = "'" + r.label().replace("'", "''") + "'";
        if (newSyntax) {
            options.add("LABEL " + label);
            options.add("PROGRESS");
            options.add("CHECKPOINT '" + (r.fastCheckpoint() ? "fast" : "spread") + "'");
            options.add("WAIT " + (r.waitForWalArchive() ? "true" : "false"));
            if (r.manifestChecksums() != null) {
                options.add("MANIFEST 'yes'");
                options.add("MANIFEST_CHECKSUMS '" + r.manifestChecksums() + "'");
            } else {
                options.add("MANIFEST 'no'");
            }
            if (r.tablespaceMap()) {
                options.add("TABLESPACE_MAP");
            }
            return "BASE_BACKUP ( " + String.join(", ", options) + " )";
        }
        options.add("LABEL " + label);
        options.add("PROGRESS");
        if (r.fastCheckpoint()) {
            options.add("FAST");
        }
        if (!r.waitForWalArchive()) {
            options.add("NOWAIT");
        }
        if (r.manifestChecksums() != null) {
            options.add("MANIFEST 'yes'");
            options.add("MANIFEST_CHECKSUMS '" + r.manifestChecksums() + "'");
        } else if (versionNum >= 130000) {
            options.add("MANIFEST 'no'");
        }
        if (r.tablespaceMap()) {
            options.add("TABLESPACE_MAP");
        }
        return "BASE_BACKUP " + String.join(" ", options);
    }

    /**
     * {@code server_version} as a number: {@code 15.4} → 150004, {@code 16beta2} → 160000,
     * {@code 9.6.24} → 90624; 0 when it cannot be read.
     */
    static int parseServerVersion(String version) {
        if (version == null) {
            return 0;
        }
        Matcher m = VERSION.matcher(version.strip());
        if (!m.find()) {
            return 0;
        }
        int major = Integer.parseInt(m.group(1));
        int second = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        int third = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        if (major >= 10) {
            return major * 10000 + second;
        }
        return major * 10000 + second * 100 + third;
    }

    static int connectTimeoutMillis(String value) {
        String v = value == null || value.isBlank() ? ConnectionSettings.DEFAULT_CONNECT_TIMEOUT : value.strip();
        int seconds;
        try {
            seconds = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ArcaException(ErrorCode.USAGE, "invalid connect_timeout '" + value + "'",
                    "give connect_timeout in whole seconds, e.g. connect_timeout=10");
        }
        if (seconds <= 0) {
            return 0;
        }
        return Math.max(seconds, MIN_TIMEOUT_SECONDS) * 1000;
    }

    // ---- connecting ---------------------------------------------------------------------

    private enum Encryption { NONE, PREFERRED, REQUIRED }

    /** The server rejected the connection with an ErrorResponse. */
    private static final class Rejected extends ArcaException {
        private static final long serialVersionUID = 1L;
        private final transient ServerError error;

        Rejected(ArcaException mapped, ServerError error) {
            super(mapped.code(), mapped.getMessage(), mapped.hint());
            this.error = error;
        }
    }

    /** The TLS handshake failed after the server accepted the SSLRequest. */
    private static final class TlsFailed extends ArcaException {
        private static final long serialVersionUID = 1L;

        TlsFailed(ArcaException mapped, Throwable cause) {
            super(mapped.code(), mapped.getMessage(), mapped.hint(), cause);
        }
    }

    private static ReplicationConnection attempt(ConnectionSettings s, Encryption encryption, SslMode mode,
                                                 int timeoutMillis) {
        Transport transport = null;
        try {
            transport = s.host().startsWith("/") ? Transport.unix(s) : Transport.tcp(s, timeoutMillis);
            if (transport.raw != null && encryption != Encryption.NONE) {
                transport.raw.getOutputStream().write(new PgWire.Builder(0).int32(SSL_REQUEST_CODE).build());
                transport.raw.getOutputStream().flush();
                // One byte, read unbuffered: anything the server sent after it would not be protected.
                int answer = transport.raw.getInputStream().read();
                if (answer == 'S') {
                    try {
                        transport.tls = Tls.wrap(transport.raw, s.host(), s.port(), mode, s.parameters());
                    } catch (SSLException e) {
                        ArcaException mapped = ReplicationErrors.transport(s, "cannot connect securely to", e);
                        throw encryption == Encryption.PREFERRED ? new TlsFailed(mapped, e) : mapped;
                    }
                } else if (answer == 'N') {
                    if (encryption == Encryption.REQUIRED) {
                        throw new ArcaException(ErrorCode.PG_CONNECTION,
                                "server at " + ReplicationErrors.where(s) + " does not support SSL, but sslmode '"
                                        + mode.name().toLowerCase(Locale.ROOT).replace('_', '-') + "' requires it",
                                "enable ssl on the server (ssl = on with a certificate), or use sslmode=prefer"
                                        + " or disable for a trusted network");
                    }
                } else if (answer < 0) {
                    throw new java.io.EOFException("the server closed the connection after the SSL request");
                } else {
                    throw new PgWire.ProtocolException("invalid answer " + answer + " to the SSL request");
                }
            }
            PgWire wire = new PgWire(transport.in(), transport.out(), transport::closeGracefully);
            Map<String, String> parameters = new HashMap<>();
            Startup started = startUp(s, wire, transport, parameters);
            transport.connected(wire);
            return new ReplicationConnection(s, wire, transport, parameters, started.pid, started.authentication);
        } catch (PgWire.ProtocolException e) {
            close(transport);
            throw ReplicationErrors.protocol(s, "connecting to", e);
        } catch (IOException e) {
            close(transport);
            throw ReplicationErrors.transport(s, "cannot connect to", e);
        } catch (RuntimeException | Error e) {
            close(transport);
            throw e;
        }
    }

    private record Startup(int pid, String authentication) {
    }

    /** Sends the startup packet and authenticates. */
    private static Startup startUp(ConnectionSettings s, PgWire wire, Transport transport, Map<String, String> parameters)
            throws IOException {
        PgWire.Builder startup = new PgWire.Builder(0).int32(PROTOCOL_3_0)
                .cstring("user").cstring(s.user())
                .cstring("database").cstring(s.database())
                .cstring("replication").cstring("true")
                .cstring("application_name")
                .cstring(s.parameters().getOrDefault("application_name", ConnectionSettings.APPLICATION_NAME))
                .cstring("client_encoding").cstring("UTF8");
        String options = s.parameters().get("options");
        if (options != null && !options.isEmpty()) {
            startup.cstring("options").cstring(options);
        }
        wire.send(startup.int8(0).build());
        ScramClient scram = null;
        boolean authenticated = false;
        String method = "trust";
        int pid = 0;
        while (true) {
            int t = wire.next();
            switch (t) {
                case 'R' -> {
                    PgWire.Body body = wire.body();
                    int code = body.int32();
                    switch (code) {
                        case 0 -> authenticated = true;
                        case 3 -> {
                            method = "password";
                            wire.send(new PgWire.Builder('p').cstring(password(s)).build());
                        }
                        case 5 -> {
                            method = "md5";
                            wire.send(new PgWire.Builder('p').cstring(md5(s.user(), password(s),
                                    body.bytes(4))).build());
                        }
                        case 10 -> {
                            List<String> mechanisms = new ArrayList<>();
                            for (String m = body.cstring(); !m.isEmpty(); m = body.cstring()) {
                                mechanisms.add(m);
                            }
                            scram = scramClient(s, mechanisms, transport.tls);
                            method = scram.getScramMechanism().getName();
                            byte[] first = scram.clientFirstMessage().toString().getBytes(StandardCharsets.UTF_8);
                            wire.send(new PgWire.Builder('p').cstring(scram.getScramMechanism().getName())
                                    .int32(first.length).bytes(first).build());
                        }
                        case 11 -> {
                            if (scram == null) {
                                throw new PgWire.ProtocolException("SASL continuation without SASL");
                            }
                            try {
                                scram.serverFirstMessage(new String(body.rest(), StandardCharsets.UTF_8));
                            } catch (ScramException | IllegalArgumentException e) {
                                throw scramFailed(s, e);
                            }
                            wire.send(new PgWire.Builder('p').bytes(scram.clientFinalMessage().toString()
                                    .getBytes(StandardCharsets.UTF_8)).build());
                        }
                        case 12 -> {
                            if (scram == null) {
                                throw new PgWire.ProtocolException("SASL final message without SASL");
                            }
                            try {
                                scram.serverFinalMessage(new String(body.rest(), StandardCharsets.UTF_8));
                            } catch (ScramException | IllegalArgumentException e) {
                                throw scramFailed(s, e);
                            }
                        }
                        default -> throw new ArcaException(ErrorCode.PG_AUTHENTICATION,
                                "server at " + ReplicationErrors.where(s) + " asks for " + authName(code)
                                        + " authentication, which Arca does not support",
                                "use scram-sha-256, md5, password or trust for replication connections in"
                                        + " pg_hba.conf");
                    }
                }
                case 'S' -> {
                    PgWire.Body body = wire.body();
                    parameters.put(body.cstring(), body.cstring());
                }
                case 'K' -> pid = wire.body().int32();
                case 'N', 'v' -> wire.skipRemaining();
                case 'E' -> {
                    ServerError error = ServerError.parse(wire.body());
                    throw new Rejected(ReplicationErrors.atConnect(s, error), error);
                }
                case 'Z' -> {
                    wire.skipRemaining();
                    if (!authenticated) {
                        throw new PgWire.ProtocolException("ready for queries before authentication");
                    }
                    return new Startup(pid, method);
                }
                default -> throw new PgWire.ProtocolException("unexpected message type '" + (char) t
                        + "' while connecting");
            }
        }
    }

    private static String password(ConnectionSettings s) {
        if (s.password() == null) {
            throw new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    "no password for user '" + s.user() + "' at " + ReplicationErrors.where(s)
                            + ", but the server asks for one", ReplicationErrors.PASSWORD_HINT);
        }
        return s.password();
    }

    /** The md5 method's answer: {@code "md5" + md5hex(md5hex(password + user) + salt)}. */
    static String md5(String user, String password, byte[] salt) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            byte[] inner = HexFormat.of().formatHex(md.digest((password + user).getBytes(StandardCharsets.UTF_8)))
                    .getBytes(StandardCharsets.US_ASCII);
            md.update(inner);
            md.update(salt);
            return "md5" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JVM", e);
        }
    }

    private static ScramClient scramClient(ConnectionSettings s, List<String> mechanisms, SSLSocket tls) {
        byte[] binding = null;
        if (tls != null && mechanisms.contains("SCRAM-SHA-256-PLUS")) {
            try {
                Certificate[] peer = tls.getSession().getPeerCertificates();
                if (peer.length > 0 && peer[0] instanceof X509Certificate x509) {
                    binding = TlsServerEndpoint.getChannelBindingData(x509);
                }
            } catch (Exception e) {
                // An unusual certificate: authenticate without channel binding.
                binding = null;
            }
        }
        try {
            ScramClient.FinalBuildStage b = ScramClient.builder()
                    .advertisedMechanisms(mechanisms)
                    .username("*") // the server takes the user from the startup packet
                    .password(password(s).toCharArray())
                    .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION);
            if (binding != null) {
                b.channelBinding(TlsServerEndpoint.TLS_SERVER_END_POINT, binding);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    "server at " + ReplicationErrors.where(s) + " offers SASL mechanisms " + mechanisms
                            + ", none of which Arca supports", "use scram-sha-256 in pg_hba.conf", e);
        }
    }

    private static ArcaException scramFailed(ConnectionSettings s, Exception e) {
        return new ArcaException(ErrorCode.PG_AUTHENTICATION,
                "SCRAM authentication with PostgreSQL at " + ReplicationErrors.where(s) + " failed: " + e.getMessage(),
                "the server could not prove it knows the password: check that host and port point at the intended"
                        + " server", e);
    }

    private static String authName(int code) {
        return switch (code) {
            case 2 -> "Kerberos V5";
            case 6 -> "SCM credential";
            case 7, 8 -> "GSSAPI";
            case 9 -> "SSPI";
            default -> "method " + code;
        };
    }

    private static void close(Transport t) {
        if (t != null) {
            t.abort();
        }
    }

    /** The socket (TCP, possibly under TLS) or Unix-domain channel under the protocol. */
    private static final class Transport {
        final Socket raw;
        final SocketChannel unix;
        SSLSocket tls;

        private Transport(Socket raw, SocketChannel unix) {
            this.raw = raw;
            this.unix = unix;
        }

        static Transport tcp(ConnectionSettings s, int timeoutMillis) throws IOException {
            IOException last = null;
            for (InetAddress address : InetAddress.getAllByName(s.host())) {
                // a channel's socket: once connected, PgWire reads the channel into its direct buffer
                Socket socket = SocketChannel.open().socket();
                try {
                    socket.setTcpNoDelay(true);
                    socket.setKeepAlive(true);
                    socket.connect(new InetSocketAddress(address, s.port()), timeoutMillis);
                    socket.setSoTimeout(timeoutMillis);
                    return new Transport(socket, null);
                } catch (IOException e) {
                    socket.close();
                    last = e;
                }
            }
            throw last != null ? last : new java.net.UnknownHostException(s.host());
        }

        static Transport unix(ConnectionSettings s) throws IOException {
            Path socketFile = Path.of(s.host(), ".s.PGSQL." + s.port());
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socketFile));
            } catch (IOException e) {
                channel.close();
                java.net.ConnectException refused = new java.net.ConnectException(
                        "cannot connect to socket '" + socketFile + "': " + e.getMessage());
                refused.initCause(e);
                throw refused;
            }
            return new Transport(null, channel);
        }

        InputStream in() throws IOException {
            return tls != null ? tls.getInputStream() : raw != null ? raw.getInputStream() : Channels.newInputStream(unix);
        }

        OutputStream out() throws IOException {
            return tls != null ? tls.getOutputStream()
                    : raw != null ? raw.getOutputStream() : Channels.newOutputStream(unix);
        }

        /** Connected and authenticated: no read timeout from now on. */
        void connected(PgWire wire) throws IOException {
            if (tls != null) {
                tls.setSoTimeout(0);
            } else if (raw != null) {
                raw.setSoTimeout(0);
                wire.readFrom(raw.getChannel());
            } else {
                wire.readFrom(unix);
            }
        }

        void closeGracefully() {
            closeAll(tls != null ? tls : raw, unix);
        }

        void abort() {
            closeAll(raw, unix);
            closeAll(tls, null);
        }

        private static void closeAll(Closeable a, Closeable b) {
            for (Closeable c : new Closeable[] {a, b}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException e) {
                        // Nothing more to do.
                    }
                }
            }
        }
    }
}

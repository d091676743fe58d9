package io.arca.postgres.local;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A throwaway PostgreSQL cluster in a temporary directory, listening on a free port on {@code
 * 127.0.0.1}: for {@code arca demo}, restore drills and tests.
 *
 * <p>{@link #start} runs {@code initdb} (superuser {@code postgres} with a password, {@code
 * scram-sha-256} over TCP, {@code trust} over the cluster's own Unix-domain socket, UTF-8) and
 * {@code pg_ctl start}; when the JVM runs as root both run as the {@code postgres} user through
 * {@code runuser}, in a directory owned by that user, since PostgreSQL refuses to run as root.
 * {@link #close()} stops the server (immediate: nothing of it is kept, then by killing the postmaster) and
 * deletes the whole directory. A JVM shutdown hook does the same if the JVM ends first, so an
 * interrupted test run leaves nothing behind (except after {@code kill -9}).
 *
 * <p>Thread-safe; {@code close()} is idempotent.
 */
public final class LocalCluster implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    public static final String SUPERUSER = "postgres";

    private static final int START_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 20;
    // sun_path holds 108 bytes; the socket file name ".s.PGSQL.65535" takes 15 of them.
    private static final int MAX_SOCKET_DIR_LENGTH = 90;
    // Variables that would point initdb, pg_ctl or postgres at another cluster.
    private static final List<String> CLEARED_ENVIRONMENT = List.of("PGDATA", "PGPORT", "PGHOST",
            "PGHOSTADDR", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGPASSFILE", "PGOPTIONS",
            "PGSERVICE", "PGCLUSTER", "PGSYSCONFDIR", "PGLOCALEDIR", "PGTZ", "PGDATESTYLE");

    private final Path root;
    private final Path dataDirectory;
    private final Path socketDirectory;
    private final Path logFile;
    private final Path pgCtl;
    private final PgVersion version;
    private final boolean asPostgresUser;
    private final String password;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private volatile int port;
    private volatile long postmasterPid = -1;

    private LocalCluster(Path root, Path pgCtl, PgVersion version, boolean asPostgresUser, String password) {
        this.root = root;
        this.dataDirectory = root.resolve("data");
        this.socketDirectory = root.resolve("sock");
        this.logFile = root.resolve("server.log");
        this.pgCtl = pgCtl;
        this.version = version;
        this.asPostgresUser = asPostgresUser;
        this.password = password;
        this.shutdownHook = new Thread(this::cleanUp, "arca-local-cluster-cleanup");
    }

    /**
     * Creates and starts a cluster; on failure removes everything it created.
     *
     * @throws ArcaException {@link ErrorCode#TOOL_NOT_FOUND} when no fitting {@code initdb} /
     *     {@code pg_ctl} exists (or no {@code postgres} user when running as root); {@link
     *     ErrorCode#TOOL_FAILED} when {@code initdb} or the server fails, with the end of the
     *     server log in the hint
     */
    public static LocalCluster start(ClusterOptions options) {
        Path initdb;
        Path pgCtl;
        PgVersion version;
        if (options.binDirectory() != null) {
            PgBinaries bins = PgBinaries.discover(List.of(options.binDirectory()));
            initdb = options.binDirectory().resolve("initdb");
            pgCtl = options.binDirectory().resolve("pg_ctl");
            for (Path p : List.of(initdb, pgCtl)) {
                if (!Files.isExecutable(p)) {
                    throw new ArcaException(ErrorCode.TOOL_NOT_FOUND,
                            "no " + p.getFileName() + " in '" + options.binDirectory() + "'",
                            "point at a directory holding the PostgreSQL server programs (initdb, pg_ctl, postgres)");
                }
            }
            version = bins.versionOf(initdb);
        } else {
            PgBinaries bins = PgBinaries.discover(List.of());
            initdb = options.major() > 0 ? bins.require("initdb", options.major()) : bins.requireNewest("initdb");
            version = bins.versionOf(initdb);
            Path sibling = initdb.resolveSibling("pg_ctl");
            pgCtl = Files.isExecutable(sibling) ? sibling : bins.require("pg_ctl", version.major());
        }
        boolean asPostgresUser = ServerUser.jvmIsRoot();
        ServerUser.Owner owner = asPostgresUser ? ServerUser.postgres() : null;

        Path base = options.baseDirectory() != null ? options.baseDirectory()
                : Path.of(System.getProperty("java.io.tmpdir"));
        Path root;
        try {
            Files.createDirectories(base);
            root = Files.createTempDirectory(base.toAbsolutePath(), "arca-pg-");
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE,
                    "cannot create a directory for a PostgreSQL cluster in '" + base + "': " + e.getMessage(),
                    "check that the directory exists and is writable", e);
        }
        String password = options.password() != null ? options.password() : randomPassword();
        LocalCluster cluster = new LocalCluster(root, pgCtl, version, asPostgresUser, password);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.create(initdb, options, owner);
            cluster.launch();
            return cluster;
        } catch (RuntimeException | Error e) {
            try {
                cluster.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The TCP port the server listens on (on {@link #host()}). */
    public int port() {
        return port;
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** The superuser's name, {@code postgres}. */
    public String superuser() {
        return SUPERUSER;
    }

    /** The superuser's password. */
    public String password() {
        return password;
    }

    public int major() {
        return version.major();
    }

    /** The version of the server programs ({@code initdb --version}). */
    public PgVersion version() {
        return version;
    }

    /** The directory holding {@code pg_ctl} and the other server programs used. */
    public Path binDirectory() {
        return pgCtl.getParent();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The Unix-domain socket directory (unused when the path would be too long for a socket). */
    public Path socketDirectory() {
        return socketDirectory;
    }

    /** The temporary directory holding everything; {@link #close()} deletes it. */
    public Path directory() {
        return root;
    }

    public Path logFile() {
        return logFile;
    }

    /** The postmaster's process id. */
    public long postmasterPid() {
        return postmasterPid;
    }

    /** The last {@code lines} lines of the server log. */
    public List<String> logTail(int lines) {
        return tail(logFile, 0, lines);
    }

    /** {@code postgresql://postgres@127.0.0.1:PORT/db}, without the password. */
    public String connectionUrl(String database) {
        return "postgresql://" + SUPERUSER + "@" + HOST + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The superuser's settings for {@code database}, password included. */
    public ConnectionSettings connectionSettings(String database) {
        return new ConnectionSettings(HOST, port, SUPERUSER, database, password, Map.of());
    }

    /** A new JDBC connection as the superuser; see {@link PgConnections#open}. */
    public Connection connect(String database) {
        return PgConnections.open(connectionSettings(database));
    }

    /**
     * Runs each statement in {@code database}, in order, each in its own transaction.
     *
     * @throws ArcaException {@link ErrorCode#FAILURE} naming the failing statement
     */
    public void execute(String database, String... sql) {
        try (Connection c = connect(database); Statement st = c.createStatement()) {
            for (String s : sql) {
                try {
                    st.execute(s);
                } catch (SQLException e) {
                    throw new ArcaException(ErrorCode.FAILURE,
                            "statement failed in database '" + database + "': " + e.getMessage(),
                            "statement: " + s, e);
                }
            }
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE,
                    "cannot use database '" + database + "': " + e.getMessage(), null, e);
        }
    }

    /** Creates database {@code name} (quoted, so any name works) and returns the name. */
    public String createDatabase(String name) {
        execute("postgres", "CREATE DATABASE " + quoteIdentifier(name));
        return name;
    }

    /**
     * Stops the server and deletes the directory. Idempotent.
     *
     * @throws ArcaException {@link ErrorCode#FAILURE} when the server would not stop or the
     *     directory could not be deleted (everything possible is still tried)
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook is running or will run cleanUp itself.
        }
        List<String> problems = cleanUp();
        if (!problems.isEmpty()) {
            throw new ArcaException(ErrorCode.FAILURE,
                    "cannot clean up the PostgreSQL cluster in '" + root + "': " + String.join("; ", problems),
                    "stop the postgres process and delete the directory by hand");
        }
    }

    @Override
    public String toString() {
        return "LocalCluster[PostgreSQL " + version + " at " + HOST + ":" + port + ", " + root + "]";
    }

    // ---- start --------------------------------------------------------------------------

    /** Runs initdb and writes the settings; {@code owner} is who must own the files, or null. */
    private void create(Path initdb, ClusterOptions options, ServerUser.Owner owner) {
        Path pwfile = root.resolve("pwfile");
        try {
            Files.createDirectory(socketDirectory);
            Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
            if (owner != null) {
                for (Path p : List.of(root, socketDirectory, pwfile)) {
                    owner.chown(p);
                }
            }
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE,
                    "cannot prepare the PostgreSQL cluster directory '" + root + "': " + e.getMessage(),
                    "check that the directory is writable", e);
        }
        List<String> args = new ArrayList<>(List.of("-D", dataDirectory.toString(), "-U", SUPERUSER,
                "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8",
                // The cluster is thrown away: syncing its files to disk buys nothing.
                "--no-sync"));
        if (options.dataChecksums()) {
            args.add("--data-checksums");
        }
        try {
            ToolProcess p = command(initdb, args, List.of("--locale=C.UTF-8")).start();
            int exit = p.waitFor();
            if (exit != 0 && String.join("\n", p.stderrLines()).toLowerCase(Locale.ROOT).contains("locale")) {
                // Systems without the C.UTF-8 locale: the C locale with UTF-8 encoding.
                deleteTree(dataDirectory);
                p = command(initdb, args, List.of("--no-locale")).start();
                exit = p.waitFor();
            }
            if (exit != 0) {
                throw new ArcaException(ErrorCode.TOOL_FAILED,
                        "initdb failed (exit " + exit + ") creating a PostgreSQL " + version + " cluster in '"
                                + dataDirectory + "': " + ToolProcess.meaningfulLine(p.stderrLines(), "initdb"),
                        "initdb said:\n" + String.join("\n", p.stderrLines()));
            }
        } finally {
            try {
                Files.deleteIfExists(pwfile);
            } catch (IOException e) {
                // Removed with the whole directory on close.
            }
        }
        StringBuilder conf = new StringBuilder("\n# Added by Arca for a throwaway cluster\n");
        if (options.fastAndUnsafe()) {
            conf.append("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        options.settings().forEach((k, v) -> conf.append(k).append(" = '")
                .append(v.replace("'", "''")).append("'\n"));
        try {
            Files.writeString(dataDirectory.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        String lastProblem = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int candidate = freePort();
            long logStart = size(logFile);
            String options = "-p " + candidate + " -c listen_addresses=" + HOST + " -c unix_socket_directories="
                    + (socketDirectory.toString().length() <= MAX_SOCKET_DIR_LENGTH
                            ? shellQuote(socketDirectory.toString()) : "''");
            ToolProcess p = command(pgCtl, List.of("-D", dataDirectory.toString(), "-l", logFile.toString(),
                    "-w", "-t", "60", "-o", options, "start"), List.of()).start();
            int exit = p.waitFor();
            if (exit == 0) {
                port = candidate;
                postmasterPid = readPostmasterPid().orElseThrow(() -> new ArcaException(ErrorCode.TOOL_FAILED,
                        "PostgreSQL started in '" + dataDirectory + "' but wrote no postmaster.pid", null));
                return;
            }
            List<String> log = tail(logFile, logStart, LOG_TAIL_LINES);
            String logText = String.join("\n", log).toLowerCase(Locale.ROOT);
            lastProblem = mostTelling(log, p.stderrLines());
            boolean portTaken = logText.contains("could not bind") || logText.contains("address already in use")
                    || logText.contains("could not create any tcp/ip sockets");
            if (!portTaken) {
                throw new ArcaException(ErrorCode.TOOL_FAILED,
                        "cannot start PostgreSQL " + version + " in '" + dataDirectory + "': " + lastProblem,
                        "server log (last lines):\n" + String.join("\n", log)
                                + "\npg_ctl said:\n" + String.join("\n", p.stderrLines()));
            }
            // Another process took the port between our probe and the server's bind: try another.
            stopServer();
        }
        throw new ArcaException(ErrorCode.TOOL_FAILED,
                "cannot start PostgreSQL " + version + " on a free port after " + START_ATTEMPTS
                        + " attempts: " + lastProblem,
                "server log (last lines):\n" + String.join("\n", tail(logFile, 0, LOG_TAIL_LINES)));
    }

    private ToolProcess.Builder command(Path program, List<String> args, List<String> moreArgs) {
        ToolProcess.Builder b = ServerUser.command(program, asPostgresUser);
        b.args(args).args(moreArgs).workingDirectory(root).noStdin().discardStdout();
        for (String name : CLEARED_ENVIRONMENT) {
            b.environment(name, null);
        }
        return b;
    }

    // ---- stop ---------------------------------------------------------------------------

    /** Stops the server and deletes the directory; returns what could not be done. */
    private synchronized List<String> cleanUp() {
        List<String> problems = new ArrayList<>();
        if (Files.isDirectory(root)) {
            stopServer();
            long pid = readPostmasterPid().orElse(postmasterPid);
            // pg_ctl stop returns once postmaster.pid is gone; the postmaster may live a moment longer
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (isProcessRunning(pid) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (isProcessRunning(pid) && ProcessHandle.of(pid).map(LocalCluster::isPostgres).orElse(false)) {
                problems.add("postgres (pid " + pid + ") still running");
            }
            try {
                deleteTree(root);
            } catch (UncheckedIOException e) {
                problems.add("cannot delete the directory: " + e.getMessage());
            }
        }
        return problems;
    }

    /**
     * pg_ctl stop -m immediate, then killing the postmaster's process tree. Immediate, because the
     * directory is deleted right after: a shutdown checkpoint would only write what is thrown away.
     */
    private void stopServer() {
        if (!Files.exists(dataDirectory.resolve("postmaster.pid"))) {
            return;
        }
        long pid = readPostmasterPid().orElse(postmasterPid);
        try {
            ToolProcess p = command(pgCtl, List.of("-D", dataDirectory.toString(), "-m", "immediate", "-w",
                    "-t", "30", "stop"), List.of()).start();
            if (p.waitFor() == 0) {
                return;
            }
        } catch (ArcaException e) {
            // pg_ctl cannot run (deleted, interrupted): fall through to killing by pid.
        }
        if (isProcessRunning(pid)) {
            ProcessHandle.of(pid).filter(LocalCluster::isPostgres).ifPresent(LocalCluster::kill);
        }
    }

    /**
     * Whether process {@code pid} exists and has not ended. Unlike {@link ProcessHandle#isAlive()}
     * an exited process that nobody has reaped yet (a zombie, common in containers whose init
     * reaps slowly) counts as ended.
     */
    public static boolean isProcessRunning(long pid) {
        if (pid <= 0 || ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (comm) S ...": the state follows the last ')' since comm may hold anything.
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).strip();
            char state = afterName.isEmpty() ? '?' : afterName.charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent();
        }
    }

    private static void kill(ProcessHandle postmaster) {
        List<ProcessHandle> children = postmaster.descendants().toList();
        postmaster.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (isProcessRunning(postmaster.pid()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean isPostgres(ProcessHandle process) {
        // The pid may have been reused by an unrelated process after the server stopped.
        return process.info().command().map(c -> c.endsWith("postgres") || c.endsWith("postmaster"))
                .orElse(true);
    }

    private Optional<Long> readPostmasterPid() {
        return postmasterPid(dataDirectory);
    }

    /** The postmaster's pid from {@code postmaster.pid} in {@code dataDirectory}, if the file is there and readable. */
    public static Optional<Long> postmasterPid(Path dataDirectory) {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot find a free port on '" + HOST + "': " + e.getMessage(),
                    "check that the loopback interface is up", e);
        }
    }

    private static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String mostTelling(List<String> log, List<String> pgCtlStderr) {
        for (int i = log.size() - 1; i >= 0; i--) {
            String l = log.get(i);
            for (String level : List.of("PANIC:", "FATAL:", "ERROR:")) {
                int at = l.indexOf(level);
                if (at >= 0) {
                    // Drop the timestamp and pid prefix: the hint shows the full lines.
                    return l.substring(at + level.length()).strip();
                }
            }
        }
        String fromPgCtl = ToolProcess.meaningfulLine(pgCtlStderr, "pg_ctl");
        return fromPgCtl.isEmpty() ? "pg_ctl failed" : fromPgCtl;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The last {@code lines} lines of {@code file} after byte {@code from}; empty if unreadable. */
    private static List<String> tail(Path file, long from, int lines) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int start = (int) Math.min(from, bytes.length);
            List<String> all = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8).lines().toList();
            return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void deleteTree(Path dir) throws UncheckedIOException {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

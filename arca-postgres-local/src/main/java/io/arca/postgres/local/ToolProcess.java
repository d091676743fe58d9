package io.arca.postgres.local;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.File;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL program ({@code pg_dump}, {@code pg_restore}, {@code psql}, {@code initdb}, ...)
 * running as a child process.
 *
 * <p>Standard error is always drained by a background thread into a ring of the last {@value
 * #STDERR_LINES} lines (each cut at {@value #MAX_LINE_CHARS} characters), so memory stays bounded
 * whatever the program writes; each line may also be forwarded to a listener (for {@code
 * --verbose}). Standard output is a pipe read through {@link #stdout()} unless the builder
 * discards it or sends it to a file; standard input is a pipe written through {@link #stdin()}
 * unless the builder closes it.
 *
 * <p>{@link #waitForSuccess(String)} turns a failure into an {@link ArcaException} whose code
 * comes from what the program wrote to standard error (see {@link #classify}). A process whose
 * {@code ToolProcess} (and its streams) the caller drops without waiting is destroyed when the
 * garbage collector notices; call {@link #close()} to be deterministic.
 */
public final class ToolProcess implements AutoCloseable {

    /** How many of the last standard error lines are kept. */
    public static final int STDERR_LINES = 50;
    /** Longer standard error lines are cut to this many characters. */
    public static final int MAX_LINE_CHARS = 4000;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final long STDERR_JOIN_MILLIS = 5_000;

    private final Process process;
    private final String name;
    private final Thread stderrDrain;
    private final ArrayDeque<String> stderrRing = new ArrayDeque<>();
    private final InputStream stdout;
    private final OutputStream stdin;
    private final Cleaner.Cleanable cleanable;

    private ToolProcess(Process process, String name, Consumer<String> stderrListener) {
        this.process = process;
        this.name = name;
        // The streams handed out keep this object reachable, so the cleaner cannot destroy a
        // process whose output someone is still reading.
        this.stdout = new FilterInputStream(process.getInputStream()) {
            @SuppressWarnings("unused")
            private final ToolProcess owner = ToolProcess.this;
        };
        this.stdin = new FilterOutputStream(process.getOutputStream()) {
            @SuppressWarnings("unused")
            private final ToolProcess owner = ToolProcess.this;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }
        };
        InputStream stderr = process.getErrorStream();
        ArrayDeque<String> ring = stderrRing;
        this.stderrDrain = new Thread(() -> drain(stderr, ring, stderrListener), name + "-stderr");
        stderrDrain.setDaemon(true);
        stderrDrain.start();
        this.cleanable = CLEANER.register(this, new Destroyer(process));
    }

    /** Starts building a process that runs {@code executable}. */
    public static Builder builder(Path executable) {
        return new Builder(executable.toString());
    }

    /** As {@link #builder(Path)}, for a program found on {@code PATH} ({@code runuser}). */
    public static Builder builder(String command) {
        return new Builder(command);
    }

    /** The program's standard output; empty when the builder discarded or redirected it. */
    public InputStream stdout() {
        return stdout;
    }

    /** The program's standard input; close it to signal end of input. */
    public OutputStream stdin() {
        return stdin;
    }

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the program to end and for its standard error to be read to the end (or a few
     * seconds more, when a grandchild keeps it open).
     *
     * @return the exit code; 128 + n when signal n ended it
     * @throws ArcaException {@link ErrorCode#INTERRUPTED} when interrupted; the process is
     *     destroyed and the thread's interrupt flag set again
     */
    public int waitFor() {
        try {
            int exit = process.waitFor();
            stderrDrain.join(STDERR_JOIN_MILLIS);
            return exit;
        } catch (InterruptedException e) {
            destroy();
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while waiting for " + name,
                    null, e);
        }
    }

    /**
     * Waits and returns if the program exited with 0.
     *
     * @param what how to name the program in the error, usually its name ({@code pg_dump})
     * @throws ArcaException classified from standard error, see {@link #classify}
     */
    public void waitForSuccess(String what) {
        int exit = waitFor();
        if (exit != 0) {
            throw classify(what, exit, stderrLines());
        }
    }

    /** The last {@value #STDERR_LINES} lines the program wrote to standard error, oldest first. */
    public List<String> stderrLines() {
        synchronized (stderrRing) {
            return List.copyOf(stderrRing);
        }
    }

    /**
     * Ends the process and its descendants: politely, then, after five seconds, forcibly. Does
     * nothing when it has already ended.
     */
    public void destroy() {
        new Destroyer(process).run();
    }

    /** Destroys the process if it is still running and closes the streams. */
    @Override
    public void close() {
        cleanable.clean();
        closeQuietly(stdin);
        closeQuietly(stdout);
    }

    /**
     * The error for a program that exited with {@code exitCode}, by what it wrote to standard
     * error: connection problems give {@link ErrorCode#PG_CONNECTION}, rejected credentials
     * {@link ErrorCode#PG_AUTHENTICATION}, a missing database {@link
     * ErrorCode#PG_DATABASE_MISSING}, a client older than the server {@link
     * ErrorCode#TOOL_NOT_FOUND}, anything else {@link ErrorCode#TOOL_FAILED}.
     */
    public static ArcaException classify(String what, int exitCode, List<String> stderr) {
        Output output = new Output(stderr);
        String all = String.join("\n", stderr);
        String lower = all.toLowerCase(Locale.ROOT);
        String detail = meaningfulLine(stderr, what);
        if (lower.contains("server version mismatch")) {
            Matcher m = SERVER_VERSION.matcher(all);
            String server = m.find() ? m.group(1) : null;
            String major = server == null ? "N" : server.replaceAll("^(\\d+).*", "$1");
            String message = server == null
                    ? what + " is older than the server (server version mismatch)"
                    : what + " is older than the server: PostgreSQL " + server
                            + " (server version mismatch)";
            return new ArcaException(ErrorCode.TOOL_NOT_FOUND, message,
                    "install the PostgreSQL " + major + " client tools (Debian: apt-get install "
                            + "postgresql-client-" + major + ") or pass --pg-bin DIR", output);
        }
        if (lower.contains("password authentication failed") || lower.contains("no password supplied")) {
            return new ArcaException(ErrorCode.PG_AUTHENTICATION,
                    what + " could not log in to PostgreSQL: " + detail,
                    "set the password in PGPASSWORD or ARCA_DB_PASSWORD, or add it to ~/.pgpass", output);
        }
        Matcher db = MISSING_DATABASE.matcher(all);
        if (db.find()) {
            return new ArcaException(ErrorCode.PG_DATABASE_MISSING,
                    "database '" + db.group(1) + "' does not exist (reported by " + what + ")",
                    "check the database name in the URL, or create the database first", output);
        }
        for (String marker : CONNECTION_MARKERS) {
            if (lower.contains(marker)) {
                return new ArcaException(ErrorCode.PG_CONNECTION,
                        what + " cannot connect to PostgreSQL: " + detail,
                        "check that the server is running and that host and port are right", output);
            }
        }
        return new ArcaException(ErrorCode.TOOL_FAILED,
                what + " failed (exit " + exitCode + ")" + (detail.isEmpty() ? "" : ": " + detail),
                "run with --debug to see the full output", output);
    }

    /**
     * The last lines a program wrote to standard error, carried as the cause of the error it
     * failed with, so that {@code --debug} shows them.
     */
    public static final class Output extends Exception {
        private static final long serialVersionUID = 1L;

        public Output(List<String> lines) {
            super("last output lines:\n" + String.join("\n", lines), null, false, false);
        }
    }

    private static final Pattern SERVER_VERSION = Pattern.compile("server version: (\\d+(?:\\.\\d+)?)");
    private static final Pattern MISSING_DATABASE = Pattern.compile("database \"([^\"]*)\" does not exist");
    private static final List<String> CONNECTION_MARKERS = List.of(
            "connection refused", "could not translate host name", "timeout expired",
            "could not connect to server", "no route to host", "network is unreachable",
            "server closed the connection unexpectedly", "the database system is starting up",
            "the database system is shutting down");

    /**
     * The line that best says what went wrong: the last one reporting an error, else the last
     * one that is not a continuation (indented) line, else the last non-blank one. The program's
     * own {@code "pg_dump: "} prefix is dropped since the message names the program already.
     */
    static String meaningfulLine(List<String> stderr, String what) {
        String chosen = null;
        for (int i = stderr.size() - 1; i >= 0 && chosen == null; i--) {
            String l = stderr.get(i).toLowerCase(Locale.ROOT);
            if (l.contains("error:") || l.contains("fatal:") || l.contains("panic:")) {
                chosen = stderr.get(i);
            }
        }
        for (int i = stderr.size() - 1; i >= 0 && chosen == null; i--) {
            String l = stderr.get(i);
            if (!l.isBlank() && !Character.isWhitespace(l.charAt(0))) {
                chosen = l;
            }
        }
        for (int i = stderr.size() - 1; i >= 0 && chosen == null; i--) {
            if (!stderr.get(i).isBlank()) {
                chosen = stderr.get(i);
            }
        }
        if (chosen == null) {
            return "";
        }
        chosen = chosen.strip();
        String prefix = what + ": ";
        if (chosen.startsWith(prefix)) {
            chosen = chosen.substring(prefix.length());
        }
        return chosen;
    }

    private static void drain(InputStream in, ArrayDeque<String> ring, Consumer<String> listener) {
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            boolean cut = false;
            char[] buf = new char[8192];
            int n;
            while ((n = reader.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    char c = buf[i];
                    if (c == '\n') {
                        emit(line, ring, listener);
                        cut = false;
                    } else if (c != '\r') {
                        if (line.length() < MAX_LINE_CHARS) {
                            line.append(c);
                        } else if (!cut) {
                            line.append("...");
                            cut = true;
                        }
                    }
                }
            }
            if (line.length() > 0) {
                emit(line, ring, listener);
            }
        } catch (IOException e) {
            // The process was destroyed or closed its end: nothing more to read.
        }
    }

    private static void emit(StringBuilder line, ArrayDeque<String> ring, Consumer<String> listener) {
        String text = line.toString();
        line.setLength(0);
        synchronized (ring) {
            if (ring.size() == STDERR_LINES) {
                ring.removeFirst();
            }
            ring.addLast(text);
        }
        if (listener != null) {
            try {
                listener.accept(text);
            } catch (RuntimeException e) {
                // A failing listener must not stop draining, or the program would block.
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // Closing a pipe to an ended process: nothing to do about it.
        }
    }

    /** Kills a process tree; holds no reference to the {@code ToolProcess} (it is a cleaner action). */
    private record Destroyer(Process process) implements Runnable {
        @Override
        public void run() {
            if (!process.isAlive()) {
                return;
            }
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroy();
            descendants.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Collects what to run; {@link #start()} launches it. Not thread-safe. */
    public static final class Builder {
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private ProcessBuilder.Redirect stdoutRedirect = ProcessBuilder.Redirect.PIPE;
        private ProcessBuilder.Redirect stdinRedirect = ProcessBuilder.Redirect.PIPE;
        private Consumer<String> stderrListener;

        private Builder(String executable) {
            command.add(Objects.requireNonNull(executable, "executable"));
        }

        public Builder arg(String arg) {
            command.add(Objects.requireNonNull(arg, "arg"));
            return this;
        }

        public Builder args(String... args) {
            for (String a : args) {
                arg(a);
            }
            return this;
        }

        public Builder args(List<String> args) {
            args.forEach(this::arg);
            return this;
        }

        /** Sets a variable for the child; a {@code null} value removes an inherited one. */
        public Builder environment(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** As {@link #environment(String, String)} for each entry. */
        public Builder environment(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        public Builder workingDirectory(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        /** Throws standard output away. */
        public Builder discardStdout() {
            this.stdoutRedirect = ProcessBuilder.Redirect.DISCARD;
            return this;
        }

        /** Writes standard output to {@code file}, replacing it. */
        public Builder stdoutTo(Path file) {
            this.stdoutRedirect = ProcessBuilder.Redirect.to(file.toFile());
            return this;
        }

        /** Gives the program an empty standard input. */
        public Builder noStdin() {
            this.stdinRedirect = ProcessBuilder.Redirect.from(new File("/dev/null"));
            return this;
        }

        /** Reads standard input from {@code file}. */
        public Builder stdinFrom(Path file) {
            this.stdinRedirect = ProcessBuilder.Redirect.from(file.toFile());
            return this;
        }

        /** Receives each standard error line as it arrives, on the draining thread. */
        public Builder stderrListener(Consumer<String> listener) {
            this.stderrListener = listener;
            return this;
        }

        /** The command line as it will run (for logs; holds no secrets by construction). */
        public List<String> command() {
            return Collections.unmodifiableList(command);
        }

        /**
         * Launches the program.
         *
         * @throws ArcaException {@link ErrorCode#TOOL_NOT_FOUND} when it cannot be executed
         */
        public ToolProcess start() {
            ProcessBuilder pb = new ProcessBuilder(command);
            environment.forEach((k, v) -> {
                if (v == null) {
                    pb.environment().remove(k);
                } else {
                    pb.environment().put(k, v);
                }
            });
            if (workingDirectory != null) {
                pb.directory(workingDirectory.toFile());
            }
            pb.redirectOutput(stdoutRedirect);
            pb.redirectInput(stdinRedirect);
            String name = Path.of(command.get(0)).getFileName().toString();
            try {
                return new ToolProcess(pb.start(), name, stderrListener);
            } catch (IOException e) {
                throw new ArcaException(ErrorCode.TOOL_NOT_FOUND,
                        "cannot run '" + command.get(0) + "': " + rootMessage(e),
                        "check that the program exists and is executable, or pass --pg-bin DIR", e);
            } catch (UncheckedIOException e) {
                throw new ArcaException(ErrorCode.TOOL_NOT_FOUND,
                        "cannot run '" + command.get(0) + "': " + rootMessage(e),
                        "check that the program exists and is executable", e);
            }
        }

        private static String rootMessage(Throwable e) {
            String m = e.getMessage();
            int i = m == null ? -1 : m.lastIndexOf("error=");
            return i >= 0 ? m.substring(i) : String.valueOf(m);
        }
    }
}

package io.arca.core.hook;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.source.Hook;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A user's shell command run before ({@code --pre-hook}) or after ({@code --post-hook}) a restore
 * or backup: {@code docker compose stop backend}, then {@code docker compose start backend}.
 *
 * <p>The command runs as {@code sh -c COMMAND} in the current directory with the process's
 * environment plus {@code ARCA_HOOK=pre|post} and, for a post-hook, {@code
 * ARCA_RESULT=success|failure}; standard input is {@code /dev/null} (a hook that asks a question
 * would otherwise wait for its timeout). Its standard output and error are shown line by line
 * through {@link Progress#note}, prefixed {@code pre-hook: }. It fails the command with {@link
 * ErrorCode#HOOK_FAILED} when it exits non-zero or runs longer than its timeout (then it is
 * stopped with its children).
 *
 * <p>A post-hook runs also after a failed restore or backup, with {@code ARCA_RESULT=failure}: the
 * service a pre-hook stopped must be started again whatever happened (see {@link Hooks}).
 */
public final class CommandHook implements Hook {
    /** How long a hook command may run unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** Longest output line shown; the rest of a longer line is cut (a hook printing binary data). */
    static final int MAX_LINE = 2000;
    /** How long to wait for the last output after the command exited (see {@link #waitForOutput}). */
    private static final long OUTPUT_GRACE_MILLIS = 2000;

    /** Whether the command runs before or after the work. */
    public enum When {
        PRE("pre"), POST("post");

        private final String label;

        When(String label) {
            this.label = label;
        }

        /** {@code pre} or {@code post}: the value of {@code ARCA_HOOK}. */
        public String label() {
            return label;
        }
    }

    private final When when;
    private final String command;
    private final Duration timeout;
    private final Map<String, String> environment;

    /**
     * @param environment variables added to the process's own for the command (may be empty)
     * @throws UsageException for a blank command or a timeout that is not positive
     */
    public CommandHook(When when, String command, Duration timeout, Map<String, String> environment) {
        this.when = Objects.requireNonNull(when, "when");
        if (command == null || command.isBlank()) {
            throw new UsageException("--" + when.label() + "-hook needs a command", "give the command to run, "
                    + "quoted: --" + when.label() + "-hook 'docker compose stop backend'", null);
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new UsageException("the hook timeout must be positive, not " + timeout);
        }
        this.command = command;
        this.timeout = timeout;
        this.environment = environment == null ? Map.of() : Map.copyOf(environment);
    }

    /** A {@code --pre-hook} with the default timeout. */
    public static CommandHook pre(String command) {
        return new CommandHook(When.PRE, command, DEFAULT_TIMEOUT, Map.of());
    }

    /** A {@code --post-hook} with the default timeout. */
    public static CommandHook post(String command) {
        return new CommandHook(When.POST, command, DEFAULT_TIMEOUT, Map.of());
    }

    public When when() {
        return when;
    }

    public String command() {
        return command;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public String describe() {
        return when.label() + "-hook '" + command + "'";
    }

    @Override
    public void before(Progress progress) {
        if (when == When.PRE) {
            run(progress, null);
        }
    }

    @Override
    public void after(boolean succeeded, Progress progress) {
        if (when == When.POST) {
            run(progress, succeeded ? "success" : "failure");
        }
    }

    private void run(Progress progress, String result) {
        progress.note("running " + describe() + (result == null ? "" : " (ARCA_RESULT=" + result + ")"));
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(environment);
        pb.environment().put("ARCA_HOOK", when.label());
        if (result != null) {
            pb.environment().put("ARCA_RESULT", result);
        } else {
            pb.environment().remove("ARCA_RESULT");
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.HOOK_FAILED, describe() + " could not be started: " + e.getMessage(),
                    "hooks run with 'sh -c'; 'sh' must be on PATH", e);
        }
        OutputLines output = new OutputLines(process.getInputStream(), when.label() + "-hook: ", progress);
        Thread reader = new Thread(output, "arca-" + when.label() + "-hook-output");
        // daemon: a command that leaves a background process holding its output open must not keep Arca alive
        reader.setDaemon(true);
        reader.start();
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            destroyTree(process);
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, describe() + " was interrupted and stopped", null, e);
        }
        if (!finished) {
            destroyTree(process);
            waitForOutput(reader);
            throw new ArcaException(ErrorCode.HOOK_FAILED, describe() + " did not finish within "
                    + Durations.describe(timeout) + " and was stopped",
                    "make the command finish sooner (its input is /dev/null, so it must not ask anything), "
                            + "or give it more time");
        }
        waitForOutput(reader);
        int exit = process.exitValue();
        if (exit != 0) {
            String last = output.lastLine();
            throw new ArcaException(ErrorCode.HOOK_FAILED, describe() + " exited with " + exit
                    + (last == null ? "" : " (last output: '" + last + "')"),
                    "its output is shown above; run it by hand (sh -c '...') to see why it failed");
        }
        progress.note(describe() + " finished");
    }

    /**
     * Waits a moment for the output thread to see the end of the output. A command that left a
     * background process holding its output open never closes it; its later output is not shown.
     */
    private static void waitForOutput(Thread reader) {
        try {
            reader.join(OUTPUT_GRACE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the command and everything it started: politely, then after five seconds forcibly. */
    private static void destroyTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle d : descendants) {
            try {
                d.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                d.destroyForcibly();
            } catch (InterruptedException e) {
                d.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Reads a command's output and shows each line as a note; remembers the last non-blank line. */
    private static final class OutputLines implements Runnable {
        private final InputStream in;
        private final String prefix;
        private final Progress progress;
        private volatile String lastLine;

        OutputLines(InputStream in, String prefix, Progress progress) {
            this.in = in;
            this.prefix = prefix;
            this.progress = progress;
        }

        String lastLine() {
            return lastLine;
        }

        @Override
        public void run() {
            StringBuilder line = new StringBuilder();
            boolean cut = false;
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                char[] buf = new char[4096];
                int n;
                while ((n = r.read(buf)) >= 0) {
                    for (int i = 0; i < n; i++) {
                        char c = buf[i];
                        if (c == '\n') {
                            emit(line);
                            line.setLength(0);
                            cut = false;
                        } else if (c != '\r' && !cut) {
                            if (line.length() < MAX_LINE) {
                                line.append(c);
                            } else {
                                line.append('…');
                                cut = true;
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended and its pipe closed under us: what was read is shown below
            }
            if (line.length() > 0) {
                emit(line);
            }
        }

        private void emit(StringBuilder line) {
            String text = line.toString();
            progress.note(prefix + text);
            if (!text.isBlank()) {
                lastLine = text.strip();
            }
        }
    }
}

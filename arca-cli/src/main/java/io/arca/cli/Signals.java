package io.arca.cli;

import io.arca.core.TempFiles;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What SIGINT and SIGTERM do to a command run from {@link Main#main}: the JVM's default would
 * exit at once, leaving {@code pg_dump} running, unencrypted dump files in the temp directory and
 * half-written objects in the repository, with no word said.
 *
 * <p>On the first signal: the command's own error output is silenced (its failure is a
 * consequence, not the news), every child process (and their children) is stopped, and, if that
 * did not end the command within {@link #INTERRUPT_AFTER_SECONDS} seconds, the main thread is
 * interrupted, so that it unwinds through its clean-up (an unfinished backup is
 * discarded, temp directories and uncommitted repository writes are removed). Then one line says
 * what happened, with {@code code: ARCA-1008}, and the process exits with 128 + the signal's
 * number (130 for SIGINT, 143 for SIGTERM), as shells and service managers expect; {@code
 * wal-push} and {@code wal-fetch} exit with {@link ErrorCode#INTERRUPTED}'s code instead,
 * since PostgreSQL treats an exit above 125 of its archive or restore command as fatal. A main
 * thread that has not unwound after {@link #UNWIND_SECONDS} seconds more ends the process
 * through {@link System#exit} (shutdown hooks run); a second signal halts it at once. Both
 * still remove the temp directories.
 *
 * <p>The handler is {@code sun.misc.Signal}'s (in {@code jdk.unsupported}), reached by reflection
 * as {@code WalReceiveCommand} does, so that the build does not warn about it; {@code wal-receive}
 * puts its own handler in place while it streams, and this one back afterwards. Where the JVM
 * does not let us handle signals ({@code -Xrs}, or a signal ignored since the process started),
 * the JVM's default stays.
 */
final class Signals {
    static final int UNWIND_SECONDS = 20;
    static final int INTERRUPT_AFTER_SECONDS = 3;

    private static final AtomicReference<Caught> RECEIVED = new AtomicReference<>();
    private static final AtomicBoolean REPORTED = new AtomicBoolean();
    private static volatile boolean walCommand;

    private Signals() {
    }

    /** Handles SIGINT and SIGTERM for the command {@code args} run on {@code main}. */
    static void install(Thread main, List<String> args) {
        String command = args.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
        walCommand = command.equals("wal-push") || command.equals("wal-fetch");
        for (Caught caught : List.of(new Caught("INT", 2), new Caught("TERM", 15))) {
            try {
                Class<?> signalClass = Class.forName("sun.misc.Signal");
                Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                Object signal = signalClass.getConstructor(String.class).newInstance(caught.name());
                Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                        (proxy, method, margs) -> switch (method.getName()) {
                            case "handle" -> {
                                onSignal(caught, main);
                                yield null;
                            }
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == margs[0];
                            default -> "arca signal handler";
                        });
                signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // the JVM was started with -Xrs, or the signal is not available here: keep the default
            }
        }
    }

    /** A signal this class handles: its name without SIG and its number. */
    private record Caught(String name, int number) {
    }

    /** The command's error output: silent once a signal came, since the signal's line says it all. */
    static OutputStream gate(OutputStream err) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                if (RECEIVED.get() == null) {
                    err.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (RECEIVED.get() == null) {
                    err.write(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                err.flush();
            }
        };
    }

    /**
     * The exit code for a command that returned {@code code}: the signal's when one came (after
     * reporting it), else {@code code}.
     */
    static int exitCode(int code) {
        Caught s = RECEIVED.get();
        if (s == null) {
            return code;
        }
        report(s);
        return interruptedExit(s);
    }

    private static void onSignal(Caught s, Thread main) {
        if (!RECEIVED.compareAndSet(null, s)) {
            // a second signal: the user does not want to wait for the clean-up
            TempFiles.deleteAllCreated();
            report(s);
            Runtime.getRuntime().halt(interruptedExit(s));
        }
        stopChildren();
        try {
            // a command waiting on a child fails by itself now; one that is not (a physical backup
            // streaming from the server) is interrupted. Not at once: an interrupted thread's file
            // channels close, which would fail the clean-up's own reads (releasing the lease)
            main.join(TimeUnit.SECONDS.toMillis(INTERRUPT_AFTER_SECONDS));
            if (main.isAlive()) {
                main.interrupt();
                main.join(TimeUnit.SECONDS.toMillis(UNWIND_SECONDS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (main.isAlive()) {
            // stuck in something that ignores interrupts (or already exiting): clean what can be
            // cleaned and go; System.exit still runs the shutdown hooks (a drill's cluster)
            stopChildren();
            TempFiles.deleteAllCreated();
            report(s);
            System.exit(interruptedExit(s));
        }
    }

    /** Stops every descendant: politely, then, after five seconds, forcibly. */
    private static void stopChildren() {
        List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
        children.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle p : children) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    p.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (Exception e) {
                // still running: forced below
            }
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static void report(Caught s) {
        if (!REPORTED.compareAndSet(false, true)) {
            return;
        }
        PrintStream err = System.err;
        err.println("error: interrupted by SIG" + s.name() + ": stopped the work, its child processes and"
                + " unfinished files");
        err.println("code: ARCA-" + ErrorCode.INTERRUPTED.number());
        err.flush();
    }

    private static int interruptedExit(Caught s) {
        return walCommand ? ErrorCode.INTERRUPTED.exitCode() : 128 + s.number();
    }
}

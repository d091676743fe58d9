package io.arca.cli;

import io.arca.app.config.ConfigException;
import io.arca.core.ArcaVersion;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import java.io.IOException;
import io.arca.core.repo.RepositoryJson;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Entry point: runs a command and maps every failure to one message line, a hint and an exit code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // the repository's JSON mapping gets ready on the other core while picocli parses
        Thread warmUp = new Thread(RepositoryJson::warmUp, "arca-json-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        Signals.install(Thread.currentThread(), List.of(args));
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(Signals.gate(System.err), true));
        System.exit(Signals.exitCode(code));
    }

    /**
     * The command line model that {@link #run} parses {@code args} with (the named command, source
     * flags, {@code --config} defaults from the environment), printing nowhere. For tools that
     * check Arca command lines without running them: the deployment tests parse the Helm chart's
     * and Compose file's container arguments with it, and the distribution generates man pages and
     * shell completion from it (with no arguments: every command).
     */
    public static CommandLine commandLine(String... args) {
        PrintWriter sink = new PrintWriter(java.io.Writer.nullWriter());
        return configured(new ArcaCommand(sink, sink), args);
    }

    private static CommandLine configured(ArcaCommand root, String[] args) {
        root.args = List.of(args);
        CommandLine cl = ArcaCommand.commandLine(root, args);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** Runs {@code args} with the given streams and returns the exit code; never exits. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        ArcaCommand root = new ArcaCommand(out, err);
        CommandLine cl = configured(root, args);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ParameterException e, String[] a) -> {
            if (find(e, ConfigException.class) != null) {
                // arca.yaml, read for option defaults (ConfigDefaults), has errors of its own
                return report(find(e, ConfigException.class), root.debug(), err, e.getCommandLine().getCommandSpec().qualifiedName());
            }
            err.println("error: " + lowerFirst(e.getMessage()));
            err.println("hint: see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return ErrorCode.USAGE.exitCode();
        });
        cl.setExecutionExceptionHandler((Exception e, CommandLine c, CommandLine.ParseResult p) ->
                report(e, root.debug(), err, c.getCommandSpec().qualifiedName()));
        return cl.execute(args);
    }

    static int report(Throwable e, boolean debug, PrintWriter err) {
        return report(e, debug, err, "arca");
    }

    /** As {@link #report(Throwable, boolean, PrintWriter)}; a usage error without hint points to {@code command --help}. */
    static int report(Throwable e, boolean debug, PrintWriter err, String command) {
        UsageException usage = find(e, UsageException.class);
        ArcaException arca = find(e, ArcaException.class);
        if (usage != null && arca == null) {
            err.println("error: " + lowerFirst(usage.getMessage()));
            err.println("hint: " + (usage.hint() != null ? usage.hint() : "see '" + command + " --help'"));
            if (debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return ErrorCode.USAGE.exitCode();
        }
        if (arca == null) {
            IOException io = find(e, IOException.class);
            if (io != null) {
                // a local file the command read or wrote (storage errors arrive as ArcaExceptions)
                arca = new ArcaException(ErrorCode.LOCAL_IO, "local i/o failed: " + reason(io),
                        "check the path, its permissions and the free space on its file system", io);
            }
        }
        if (arca != null) {
            err.println("error: " + arca.getMessage());
            if (arca.hint() != null) {
                err.println("hint: " + arca.hint());
            }
            if (debug || arca.code() == ErrorCode.INTERNAL) {
                e.printStackTrace(err);
            } else if (arca.code().number() != ErrorCode.FAILURE.number()) {
                err.println("code: ARCA-" + arca.code().number());
            }
            err.flush();
            return arca.code().exitCode();
        }
        err.println("internal error: " + e + " (arca " + ArcaVersion.get() + ")");
        err.println("hint: this is a bug in arca; please report it with the stack trace below");
        e.printStackTrace(err);
        err.flush();
        return ErrorCode.INTERNAL.exitCode();
    }

    /**
     * What went wrong with a local file, naming it: {@code '/x/y': no space left on device}. A
     * {@link java.nio.file.FileSystemException}'s message is only the path for some failures
     * (a missing file, a refused permission), so the kind of failure is named from its type.
     */
    static String reason(IOException e) {
        return reason(e, null);
    }

    /** As {@link #reason(IOException)}, without the path when it is {@code named} (the message names it). */
    static String reason(IOException e, java.nio.file.Path named) {
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            String why = f.getReason() != null ? f.getReason()
                    : e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                    : e.getClass().getSimpleName();
            if (named != null && f.getOtherFile() == null && f.getFile().equals(named.toString())) {
                return lowerFirst(why);
            }
            return "'" + f.getFile() + "'" + (f.getOtherFile() != null ? " -> '" + f.getOtherFile() + "'" : "") + ": "
                    + lowerFirst(why);
        }
        return lowerFirst(String.valueOf(e.getMessage()));
    }

    /** The outermost {@code type} in {@code e}'s cause chain, or null. */
    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String lowerFirst(String s) {
        if (s == null || s.isEmpty()) {
            return "invalid input";
        }
        // "No space left" reads "no space left"; "ARCA_LEASE_TTL: ..." and "SSL ..." stay as they are
        if (s.length() > 1 && Character.isUpperCase(s.charAt(1))) {
            return s;
        }
        return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
}

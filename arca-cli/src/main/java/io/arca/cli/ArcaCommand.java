package io.arca.cli;

import io.arca.core.ArcaVersion;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The root {@code arca} command. */
@Command(name = "arca", mixinStandardHelpOptions = true, versionProvider = ArcaCommand.Version.class,
        description = "PostgreSQL backup and recovery: backups taken, stored, verified and restorable with one command.")
public final class ArcaCommand implements Runnable {
    /** The commands, in the order help lists them; registered by {@link #commandLine}. */
    static final List<Class<?>> COMMANDS = List.of(InitCommand.class, BackupCommand.class, RestoreCommand.class,
            DrillCommand.class, ListCommand.class, ShowCommand.class, VerifyCommand.class, CopyCommand.class,
            PruneCommand.class, StatusCommand.class, RunsCommand.class, MetricsCommand.class, ServerCommand.class,
            ConfigCommand.class, StorageCommand.class, KeyCommand.class, WalPushCommand.class,
            WalFetchCommand.class, WalReceiveCommand.class, DemoCommand.class);

    @Spec
    CommandSpec spec;

    final PrintWriter out;
    final PrintWriter err;

    @Option(names = "--debug", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "On errors, show stack traces and the last output lines of the PostgreSQL programs.")
    boolean debug;

    /** The command line this run was given (a command that starts a helper process repeats it). */
    List<String> args = List.of();

    ArcaCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    boolean debug() {
        return debug;
    }

    @Override
    public void run() {
        spec.commandLine().usage(out);
    }

    /**
     * The command line that runs {@code args}. Picocli builds a command's model by reflection when
     * it is registered, about 0.2 s for all of them in a fresh JVM, and every call pays it (one per
     * WAL segment from archive_command, say). So only the command that {@code args} names is
     * registered, and all of them when they name none or one that does not exist (for help, and
     * for picocli's suggestions).
     */
    static CommandLine commandLine(ArcaCommand root, String[] args) {
        CommandLine cl = new CommandLine(root);
        String named = commandWord(args);
        List<Class<?>> only = COMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(named)).toList();
        (only.isEmpty() ? COMMANDS : only).forEach(cl::addSubcommand);
        SourceFlags.register(cl);
        ConfigDefaults.install(cl, System.getenv());
        return cl;
    }

    /** The first argument that is not the root's own {@code --debug}; null when it is an option. */
    private static String commandWord(String[] args) {
        for (String a : args) {
            if (!a.equals("--debug")) {
                return a.startsWith("-") ? null : a;
            }
        }
        return null;
    }

    /** Prints the version from the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"arca " + ArcaVersion.get()};
        }
    }
}

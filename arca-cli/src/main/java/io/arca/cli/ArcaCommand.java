package io.arca.cli;

import io.arca.core.ArcaVersion;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

/** The root {@code arca} command. */
@Command(name = "arca", mixinStandardHelpOptions = true, versionProvider = ArcaCommand.Version.class,
        description = "PostgreSQL backup and recovery: backups taken, stored, verified and restorable with one command.",
        subcommands = {InitCommand.class, BackupCommand.class, RestoreCommand.class, DrillCommand.class, ListCommand.class,
                ShowCommand.class, VerifyCommand.class, CopyCommand.class, PruneCommand.class, StatusCommand.class,
                StorageCommand.class, KeyCommand.class, WalPushCommand.class, WalFetchCommand.class,
                WalReceiveCommand.class, DemoCommand.class})
public final class ArcaCommand implements Runnable {
    final PrintWriter out;
    final PrintWriter err;

    @Option(names = "--debug", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "On errors, show stack traces and the last output lines of the PostgreSQL programs.")
    boolean debug;

    /** The command line this run was given (a command that starts a helper process repeats it). */
    java.util.List<String> args = java.util.List.of();

    ArcaCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    boolean debug() {
        return debug;
    }

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(out);
    }

    /** Prints the version from the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"arca " + ArcaVersion.get()};
        }
    }
}

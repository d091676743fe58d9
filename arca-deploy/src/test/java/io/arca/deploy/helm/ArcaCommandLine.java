package io.arca.deploy.helm;

import io.arca.cli.Main;
import java.util.List;
import picocli.CommandLine;

/**
 * Checks that a rendered container's {@code args} are a command line Arca accepts: the parsing
 * that runs before any command does its work ({@link Main#commandLine}), including the defaults a
 * {@code --config} file gives.
 */
final class ArcaCommandLine {
    private ArcaCommandLine() {
    }

    /** Parses {@code args}; returns the subcommand's name, or throws picocli's ParameterException. */
    static String parse(List<String> args) {
        String[] array = args.toArray(String[]::new);
        CommandLine.ParseResult result = Main.commandLine(array).parseArgs(array);
        if (!result.hasSubcommand()) {
            throw new AssertionError("no arca command in " + args);
        }
        return result.subcommand().commandSpec().name();
    }
}

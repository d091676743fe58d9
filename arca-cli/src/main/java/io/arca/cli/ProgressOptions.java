package io.arca.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --verbose}, and the progress display of commands that do long work. */
final class ProgressOptions {
    @Option(names = {"-v", "--verbose"}, description = "Print each step.")
    boolean verbose;

    ConsoleProgress open(PrintWriter err) {
        return new ConsoleProgress(err, verbose);
    }
}

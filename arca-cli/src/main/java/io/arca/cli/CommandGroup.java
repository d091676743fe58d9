package io.arca.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code arca storage}, {@code arca key}): alone it prints its usage. */
abstract class CommandGroup implements Runnable {
    @ParentCommand
    ArcaCommand root;
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

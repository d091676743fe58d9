package io.arca.cli;

import picocli.CommandLine.Command;

/** {@code arca storage}: settings of the store a repository lives in. */
@Command(name = "storage", mixinStandardHelpOptions = true, description = "Settings of the bucket or container a repository lives in.",
        subcommands = LifecycleCommand.class)
final class StorageCommand implements Runnable {
    @picocli.CommandLine.ParentCommand
    ArcaCommand root;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

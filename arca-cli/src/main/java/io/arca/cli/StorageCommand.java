package io.arca.cli;

import picocli.CommandLine.Command;

/** {@code arca storage}: settings of the store a repository lives in. */
@Command(name = "storage", mixinStandardHelpOptions = true, description = "Settings of the bucket or container a repository lives in.",
        subcommands = LifecycleCommand.class)
final class StorageCommand extends CommandGroup {
}

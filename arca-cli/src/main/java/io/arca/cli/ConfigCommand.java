package io.arca.cli;

import picocli.CommandLine.Command;

/** {@code arca config}: the configuration file. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "The configuration file arca.yaml (see docs/configuration.md).",
        subcommands = ConfigCheckCommand.class)
final class ConfigCommand extends CommandGroup {
}

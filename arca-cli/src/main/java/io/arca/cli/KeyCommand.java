package io.arca.cli;

import picocli.CommandLine.Command;

/** {@code arca key}: OpenPGP keys for encrypted repositories. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "OpenPGP keys for encrypted backups.",
        subcommands = KeyGenerateCommand.class)
final class KeyCommand extends CommandGroup {
}

package io.arca.cli;

import picocli.CommandLine.Command;

/** {@code arca key}: OpenPGP keys for encrypted repositories. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "OpenPGP keys for encrypted backups.",
        subcommands = KeyGenerateCommand.class)
final class KeyCommand implements Runnable {
    @picocli.CommandLine.ParentCommand
    ArcaCommand root;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

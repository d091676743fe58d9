package io.arca.cli;

import io.arca.core.error.UsageException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code arca config}: being built (issue 17). */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Being built.")
final class ConfigCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UsageException("arca config is not built yet");
    }
}

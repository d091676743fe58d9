package io.arca.cli;

import io.arca.core.error.UsageException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code arca server}: being built (issue 17). */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Being built.")
final class ServerCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UsageException("arca server is not built yet");
    }
}

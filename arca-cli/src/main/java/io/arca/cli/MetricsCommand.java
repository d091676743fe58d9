package io.arca.cli;

import io.arca.core.error.UsageException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code arca metrics}: being built (issue 17). */
@Command(name = "metrics", mixinStandardHelpOptions = true, description = "Being built.")
final class MetricsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UsageException("arca metrics is not built yet");
    }
}

package io.arca.cli;

import picocli.CommandLine.Option;

/** {@code --output text|json}. */
final class OutputOptions {
    enum Format { TEXT, JSON }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "Output format: text or json.")
    Format format;

    boolean json() {
        return format == Format.JSON;
    }
}

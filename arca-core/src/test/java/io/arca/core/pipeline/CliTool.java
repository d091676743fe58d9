package io.arca.core.pipeline;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs a codec's command-line tool ({@code zstd}, {@code gzip}, {@code lz4}) on files. */
final class CliTool {
    private CliTool() {
    }

    static String name(Codec codec) {
        return switch (codec) {
            case ZSTD -> "zstd";
            case GZIP -> "gzip";
            case LZ4 -> "lz4";
            case NONE -> throw new IllegalArgumentException("codec none has no tool");
        };
    }

    /** {@code <tool> -d -c input > output}. */
    static void decompress(Codec codec, Path input, Path output) throws Exception {
        run(output, name(codec), "-d", "-c", input.toString());
    }

    /** {@code <tool> -c input > output}. */
    static void compress(Codec codec, Path input, Path output) throws Exception {
        run(output, name(codec), "-c", input.toString());
    }

    private static void run(Path stdout, String... command) throws Exception {
        Path stderr = Files.createTempFile("arca-cli-", ".err");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                        .start();
            } catch (IOException e) {
                throw new AssertionError("'" + command[0] + "' is not installed or not on PATH (" + e.getMessage()
                        + "); the pipeline tests need it: apt-get install " + command[0], e);
            }
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                fail("'%s' did not finish within 2 minutes", String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                fail("'%s' exited with %d: %s", String.join(" ", command), process.exitValue(),
                        Files.readString(stderr, StandardCharsets.UTF_8).strip());
            }
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}

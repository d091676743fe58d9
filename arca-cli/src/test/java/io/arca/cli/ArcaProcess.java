package io.arca.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts the packaged {@code arca.jar} as a separate process (for tests that kill it or run shell commands). */
final class ArcaProcess {
    private ArcaProcess() {
    }

    static Path jar() {
        String jar = System.getProperty("arca.jar");
        if (jar == null || !Path.of(jar).toFile().isFile()) {
            throw new IllegalStateException("arca.jar not found at '" + jar + "': run the integration tests with 'mvn verify'");
        }
        return Path.of(jar);
    }

    static Process start(Map<String, String> env, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}

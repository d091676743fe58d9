package io.arca.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A finished program run: its exit code and output, for the assertions of the distribution's tests. */
record Command(List<String> command, int exit, String out, String err) {

    /** Runs {@code command} with the test's environment plus {@code env}, for at most {@code seconds}. */
    static Command run(Map<String, String> env, long seconds, String... command) throws IOException, InterruptedException {
        return run(null, env, seconds, command);
    }

    /** As {@link #run(Map, long, String...)}; {@code environment} non-null: exactly that environment. */
    static Command run(Map<String, String> environment, Map<String, String> env, long seconds, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (environment != null) {
            pb.environment().clear();
            pb.environment().putAll(environment);
        }
        pb.environment().putAll(env);
        Path out = Files.createTempFile("arca-dist-out", ".txt");
        Path err = Files.createTempFile("arca-dist-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null")));
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
            }
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + seconds + " s");
            }
            return new Command(List.of(command), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Command run(String... command) throws IOException, InterruptedException {
        return run(Map.of(), 300, command);
    }

    /** The program's path, or an AssertionError naming the Debian package that has it. */
    static String require(String program, String debianPackage) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(program + " is missing: install the Debian package " + debianPackage);
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " -> exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
}

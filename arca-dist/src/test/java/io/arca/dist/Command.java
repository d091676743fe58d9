package io.arca.dist;

import io.arca.testkit.ProgramRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A finished program run: its exit code and output, for the assertions of the distribution's tests. */
record Command(List<String> command, int exit, String out, String err) {

    /** Runs {@code command} with the test's environment plus {@code env}, for at most {@code seconds}. */
    static Command run(Map<String, String> env, long seconds, String... command) throws IOException, InterruptedException {
        return run(null, env, seconds, command);
    }

    /** As {@link #run(Map, long, String...)}; {@code environment} non-null: exactly that environment. */
    static Command run(Map<String, String> environment, Map<String, String> env, long seconds, String... command)
            throws IOException, InterruptedException {
        ProgramRun r = ProgramRun.run(List.of(command), environment, env, Duration.ofSeconds(seconds));
        return new Command(r.command(), r.exit(), r.out(), r.err());
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

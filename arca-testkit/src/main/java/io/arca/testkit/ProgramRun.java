package io.arca.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real program run to its end within a bounded time, with what it printed: for tests that
 * drive installed tools (dpkg, podman, systemd-analyze, the packaged arca). Output goes to temp
 * files, not pipes, so a chatty program never blocks on a full pipe; standard input is
 * {@code /dev/null}. A program still running at the deadline is killed with its descendants
 * and the test fails, naming the command and its output so far.
 *
 * @param command what ran
 * @param exit its exit code
 * @param out its standard output
 * @param err its standard error
 */
public record ProgramRun(List<String> command, int exit, String out, String err) {

    /**
     * Runs {@code command} with the test's environment plus {@code env}, or, when {@code
     * environment} is not null, with exactly {@code environment} plus {@code env}.
     */
    public static ProgramRun run(List<String> command, Map<String, String> environment, Map<String, String> env,
            Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("arca-run-out-", ".txt");
            err = Files.createTempFile("arca-run-err-", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (environment != null) {
                pb.environment().clear();
                pb.environment().putAll(environment);
            }
            pb.environment().putAll(env);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError("still running after " + timeout + ": " + String.join(" ", command)
                        + "\n--- stdout\n" + Files.readString(out) + "--- stderr\n" + Files.readString(err));
            }
            return new ProgramRun(List.copyOf(command), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}

package io.arca.core.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.source.Hook;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HooksTest {
    @TempDir
    Path dir;

    private final List<String> events = new ArrayList<>();

    /** A hook that records its calls and fails where told. */
    private final class Recorder implements Hook {
        private final String name;
        private final Exception failBefore;
        private final Exception failAfter;

        Recorder(String name, Exception failBefore, Exception failAfter) {
            this.name = name;
            this.failBefore = failBefore;
            this.failAfter = failAfter;
        }

        Recorder(String name) {
            this(name, null, null);
        }

        @Override
        public String describe() {
            return "hook " + name;
        }

        @Override
        public void before(Progress progress) throws Exception {
            events.add(name + ".before");
            if (failBefore != null) {
                throw failBefore;
            }
        }

        @Override
        public void after(boolean succeeded, Progress progress) throws Exception {
            events.add(name + ".after(" + succeeded + ")" + (Thread.currentThread().isInterrupted() ? " interrupted" : ""));
            if (failAfter != null) {
                throw failAfter;
            }
        }
    }

    @Test
    void beforeInOrderAfterInReverseAroundTheWork() throws Exception {
        Hooks hooks = Hooks.of(List.of(new Recorder("a"), new Recorder("b"), new Recorder("c")));

        String result = hooks.run(() -> {
            events.add("work");
            return "done";
        }, Progress.NONE);

        assertThat(result).isEqualTo("done");
        assertThat(events).containsExactly("a.before", "b.before", "c.before", "work", "c.after(true)", "b.after(true)",
                "a.after(true)");
    }

    @Test
    void aftersRunWhenTheWorkFailsAndTheWorksFailureIsThrownUnchanged() {
        Hooks hooks = Hooks.of(List.of(new Recorder("a"), new Recorder("b")));
        IOException failure = new IOException("disk full");

        assertThatThrownBy(() -> hooks.<Void, IOException>run(() -> {
            events.add("work");
            throw failure;
        }, Progress.NONE)).isSameAs(failure);

        assertThat(events).containsExactly("a.before", "b.before", "work", "b.after(false)", "a.after(false)");
    }

    @Test
    void aFailedBeforeStopsTheWorkAndOnlyEnteredHooksRunAfter() {
        ArcaException stop = new ArcaException(ErrorCode.HOOK_FAILED, "pre-hook 'x' exited with 1");
        Hooks hooks = Hooks.of(List.of(new Recorder("a"), new Recorder("b", stop, null), new Recorder("c")));

        assertThatThrownBy(() -> hooks.run(() -> events.add("work"), Progress.NONE)).isSameAs(stop);

        assertThat(events).containsExactly("a.before", "b.before", "a.after(false)");
    }

    @Test
    void theFirstFailureWinsAndLaterOnesAreSuppressedAndShown() {
        ArcaException first = new ArcaException(ErrorCode.HOOK_FAILED, "first");
        ArcaException second = new ArcaException(ErrorCode.HOOK_FAILED, "second");
        Hooks hooks = Hooks.of(List.of(new Recorder("a", null, second), new Recorder("b"),
                new Recorder("c", null, first)));
        RecordingProgress progress = new RecordingProgress();

        assertThatThrownBy(() -> hooks.run(() -> events.add("work"), progress)).isSameAs(first)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(second));

        // b is told that something failed before it: c's after
        assertThat(events).containsExactly("a.before", "b.before", "c.before", "work", "c.after(true)",
                "b.after(false)", "a.after(false)");
        assertThat(progress.notes()).containsExactly("hook a failed too: second");
    }

    @Test
    void aWorkFailureWinsOverAnAfterFailure() {
        IllegalStateException work = new IllegalStateException("work broke");
        ArcaException after = new ArcaException(ErrorCode.HOOK_FAILED, "post-hook failed");
        Hooks hooks = Hooks.of(List.of(new Recorder("a", null, after)));

        assertThatThrownBy(() -> hooks.run(() -> {
            throw work;
        }, Progress.NONE)).isSameAs(work).satisfies(e -> assertThat(e.getSuppressed()).containsExactly(after));
    }

    @Test
    void aHooksOwnExceptionIsReportedAsHookFailedNamingIt() {
        Hooks hooks = Hooks.of(List.of(new Recorder("scale", new IOException("connection reset"), null)));

        assertThatThrownBy(() -> hooks.run(() -> "x", Progress.NONE)).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.HOOK_FAILED);
            assertThat(e.getMessage()).isEqualTo("hook scale failed: connection reset");
            assertThat(e.getCause()).isInstanceOf(IOException.class);
        });
    }

    @Test
    void aftersRunWithoutTheInterruptWhichIsSetAgainAfterwards() {
        Hooks hooks = Hooks.of(List.of(new Recorder("a"), new Recorder("b")));
        try {
            assertThatThrownBy(() -> hooks.run(() -> {
                Thread.currentThread().interrupt();
                throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted");
            }, Progress.NONE)).hasMessage("interrupted");

            assertThat(events).containsExactly("a.before", "b.before", "b.after(false)", "a.after(false)");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void noHooksJustDoesTheWork() throws Exception {
        assertThat(Hooks.NONE.run(() -> 42, Progress.NONE)).isEqualTo(42);
        assertThat(Hooks.of(HookOptions.NONE, List.of()).isEmpty()).isTrue();
    }

    /**
     * The runbook order with real commands and a real health URL: pre-hooks in order, the
     * source's hook around the work, post-hooks in order, then the health check; every step
     * writes one line to the same file.
     */
    @Test
    void commandLineHooksRunInTheRunbooksOrder() throws Exception {
        Path log = dir.resolve("log");
        try (HealthServer server = new HealthServer(n -> {
            append(log, "health");
            return 200;
        })) {
            HookOptions options = new HookOptions(List.of(append("stop"), append("stop-worker")),
                    List.of(append("start-worker $ARCA_RESULT"), append("start $ARCA_RESULT")),
                    List.of(server.url("/health")), Duration.ofMinutes(1), Duration.ofSeconds(30), Map.of());
            Hook scale = new Hook() {
                @Override
                public String describe() {
                    return "scale";
                }

                @Override
                public void before(Progress progress) {
                    append(log, "scale-down");
                }

                @Override
                public void after(boolean succeeded, Progress progress) {
                    append(log, "scale-up");
                }
            };

            Hooks.of(options, List.of(scale)).run(() -> append(log, "restore"), Progress.NONE);

            assertThat(Files.readAllLines(log)).containsExactly("stop", "stop-worker", "scale-down", "restore",
                    "scale-up", "start-worker success", "start success", "health");
        }
    }

    @Test
    void postHooksRunAfterAFailedRestoreAndTheHealthCheckDoesNot() throws Exception {
        Path log = dir.resolve("log");
        try (HealthServer server = new HealthServer(n -> 200)) {
            Hooks hooks = Hooks.of(HookOptions.of(List.of(append("stop")), List.of(append("start $ARCA_RESULT")),
                    List.of(server.url("/health"))), List.of());

            assertThatThrownBy(() -> hooks.run(() -> {
                append(log, "restore");
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "artifact damaged");
            }, Progress.NONE)).hasMessage("artifact damaged");

            assertThat(Files.readAllLines(log)).containsExactly("stop", "restore", "start failure");
            assertThat(server.requests()).isZero();
        }
    }

    @Test
    void aFailingPreHookStopsTheRestoreButThePostHookStillRuns() throws Exception {
        Path log = dir.resolve("log");
        Hooks hooks = Hooks.of(HookOptions.of(List.of(append("stop") + "; exit 4"),
                List.of(append("start $ARCA_RESULT")), List.of()), List.of());

        assertThatThrownBy(() -> hooks.run(() -> append(log, "restore"), Progress.NONE))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.HOOK_FAILED);
                    assertThat(e.getMessage()).contains("exited with 4");
                });

        assertThat(Files.readAllLines(log)).containsExactly("stop", "start failure");
    }

    /** A shell command that appends its words to {@code dir/log}. */
    private String append(String words) {
        return "echo \"" + words + "\" >> '" + dir.resolve("log") + "'";
    }

    private static String append(Path log, String line) {
        try {
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return line;
    }
}

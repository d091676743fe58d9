package io.arca.core.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real {@code sh} processes: output, environment, exit codes and the timeout. */
class CommandHookTest {
    @TempDir
    Path dir;

    @Test
    void preHookRunsBeforeAndShowsItsOutputLineByLine() {
        RecordingProgress progress = new RecordingProgress();
        CommandHook hook = CommandHook.pre("echo one; echo two >&2; echo \"hook=$ARCA_HOOK result=${ARCA_RESULT-unset}\";"
                + " printf 'no newline'");

        hook.before(progress);

        assertThat(progress.notes()).contains("pre-hook: one", "pre-hook: two", "pre-hook: hook=pre result=unset",
                "pre-hook: no newline");
        assertThat(progress.notes().get(0)).startsWith("running pre-hook 'echo one;");
        assertThat(progress.notes()).last().asString().endsWith("finished");
    }

    @Test
    void preHookDoesNothingAfterAndPostHookNothingBefore() throws Exception {
        Path marker = dir.resolve("ran");
        CommandHook.pre("echo x >> '" + marker + "'").after(true, new RecordingProgress());
        CommandHook.post("echo x >> '" + marker + "'").before(new RecordingProgress());
        assertThat(marker).doesNotExist();
    }

    @Test
    void postHookIsToldWhetherTheWorkSucceeded() {
        RecordingProgress progress = new RecordingProgress();
        CommandHook hook = CommandHook.post("echo \"hook=$ARCA_HOOK result=$ARCA_RESULT\"");

        hook.after(true, progress);
        hook.after(false, progress);

        assertThat(progress.notes()).containsSubsequence("post-hook: hook=post result=success",
                "post-hook: hook=post result=failure");
    }

    @Test
    void givenEnvironmentReachesTheCommand() {
        RecordingProgress progress = new RecordingProgress();
        new CommandHook(CommandHook.When.PRE, "echo \"$ARCA_COMMAND\"", Duration.ofMinutes(1),
                Map.of("ARCA_COMMAND", "restore")).before(progress);
        assertThat(progress.notes()).contains("pre-hook: restore");
    }

    @Test
    void nonZeroExitFailsNamingTheCommandAndItsExitCode() {
        RecordingProgress progress = new RecordingProgress();
        CommandHook hook = CommandHook.pre("echo 'service backend: no such service' >&2; exit 3");

        assertThatThrownBy(() -> hook.before(progress)).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.HOOK_FAILED);
            assertThat(e.code().exitCode()).isEqualTo(1);
            assertThat(e.getMessage()).isEqualTo("pre-hook 'echo 'service backend: no such service' >&2; exit 3'"
                    + " exited with 3 (last output: 'service backend: no such service')");
            assertThat(e.hint()).isNotBlank();
        });
        assertThat(progress.notes()).contains("pre-hook: service backend: no such service");
    }

    @Test
    void commandThatRunsTooLongIsStoppedWithItsChildren() throws Exception {
        Path pid = dir.resolve("pid");
        CommandHook hook = new CommandHook(CommandHook.When.POST, "sleep 60 & echo $! > '" + pid + "'; wait",
                Duration.ofSeconds(1), Map.of());
        long start = System.nanoTime();

        assertThatThrownBy(() -> hook.after(true, new RecordingProgress()))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.HOOK_FAILED);
                    assertThat(e.getMessage()).isEqualTo("post-hook 'sleep 60 & echo $! > '" + pid
                            + "'; wait' did not finish within 1s and was stopped");
                });

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        long child = Long.parseLong(Files.readString(pid).strip());
        // the kernel may take a moment to reap it once its parent is gone
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("sleep %d alive", child)
                .isFalse();
    }

    @Test
    void backgroundProcessHoldingTheOutputDoesNotHoldUpTheHook() throws Exception {
        Path pid = dir.resolve("pid");
        CommandHook hook = CommandHook.pre("sleep 30 & echo $! > '" + pid + "'; echo started");
        long start = System.nanoTime();
        try {
            RecordingProgress progress = new RecordingProgress();
            hook.before(progress);
            assertThat(progress.notes()).contains("pre-hook: started");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void veryLongLinesAreCut() {
        RecordingProgress progress = new RecordingProgress();
        CommandHook.pre("head -c 100000 /dev/zero | tr '\\0' x; echo; echo after").before(progress);
        assertThat(progress.notes()).contains("pre-hook: after");
        assertThat(progress.notes()).anySatisfy(n -> assertThat(n).startsWith("pre-hook: xxx")
                .hasSize("pre-hook: ".length() + CommandHook.MAX_LINE + 1).endsWith("…"));
    }

    @Test
    void blankCommandsAndTimeoutsAreUsageErrors() {
        assertThatThrownBy(() -> CommandHook.pre("  ")).isInstanceOf(UsageException.class)
                .hasMessage("--pre-hook needs a command");
        assertThatThrownBy(() -> new CommandHook(CommandHook.When.POST, "true", Duration.ZERO, Map.of()))
                .isInstanceOf(UsageException.class);
    }
}

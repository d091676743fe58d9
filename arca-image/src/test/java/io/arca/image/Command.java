package io.arca.image;

import io.arca.testkit.ProgramRun;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs a program to its end within a bounded time and keeps what it printed ({@link ProgramRun}). */
final class Command {

    /** Exit status and output of a finished program. */
    record Result(List<String> command, int exit, String out, String err) {
        Result expectSuccess() {
            if (exit != 0) {
                throw new AssertionError("failed: " + this);
            }
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + "\nexit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Command() {
    }

    static Result run(List<String> command, Map<String, String> env, Duration timeout) {
        ProgramRun r = ProgramRun.run(command, null, env, timeout);
        return new Result(r.command(), r.exit(), r.out(), r.err());
    }
}

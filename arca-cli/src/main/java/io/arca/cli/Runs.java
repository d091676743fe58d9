package io.arca.cli;

import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import io.arca.app.job.RunContext;
import io.arca.app.job.RunRecorder;
import io.arca.app.job.RunResult;
import io.arca.core.repo.run.RunRecord;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a command's work as a recorded run ({@link RunRecorder}: the run's record goes to the
 * repositories the work opens). The command reports the work's own failure, as it always did; the
 * record holds its code and message.
 */
final class Runs {
    private Runs() {
    }

    static <T extends RunResult> T record(ArcaCommand root, RunRecord.Job job, String subject,
            Function<RunContext, T> work) {
        RuntimeException[] original = {null};
        try (RunListeners listeners = RunListeners.open(root)) {
            return new RunRecorder(Clock.systemUTC(), listeners.listener()).run(null, job, subject,
                    RunRecord.Trigger.CLI, List.of(), ctx -> {
                        try {
                            return work.apply(ctx);
                        } catch (RuntimeException e) {
                            original[0] = e;
                            throw e;
                        }
                    });
        } catch (RuntimeException e) {
            throw original[0] != null ? original[0] : e;
        }
    }

}

package io.arca.app.job;

import io.arca.core.error.ArcaException;

/**
 * A run that failed with a result worth recording: a drill whose evidence was written, a verify
 * that named the bad backup. {@link RunRecorder} records the failure with the result's backup id,
 * bytes and details (the drill's id), and rethrows it, so the front end still has the result.
 */
public class FailedRun extends ArcaException {
    private final transient RunResult result;

    public FailedRun(ArcaException failure, RunResult result) {
        super(failure.code(), failure.getMessage(), failure.hint(), failure.getCause());
        this.result = result;
    }

    /** What the run produced before it failed. */
    public RunResult result() {
        return result;
    }
}

package io.arca.app.verify;

import io.arca.app.job.RunContext;
import io.arca.app.job.RunResult;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJob;

/** Placeholder: being built (issue 17). */
public final class VerifyJob implements SubjectJob {
    @Override
    public RunResult run(Subject subject, RunContext context) {
        throw new UnsupportedOperationException("not built yet");
    }
}

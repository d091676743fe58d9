package io.arca.app.backup;

import io.arca.app.job.RunContext;
import io.arca.app.job.RunResult;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJob;

/** Placeholder: being built (issue 17). */
public final class BackupJob implements SubjectJob {
    private final boolean physical;

    public BackupJob(boolean physical) {
        this.physical = physical;
    }

    @Override
    public RunResult run(Subject subject, RunContext context) {
        throw new UnsupportedOperationException("not built yet");
    }
}

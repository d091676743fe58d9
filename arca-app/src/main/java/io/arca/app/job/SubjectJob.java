package io.arca.app.job;

/**
 * One job run for one configured subject: what the server's scheduler and the API's triggers run
 * through a {@link RunRecorder}. The job opens the subject's repositories (and names each with
 * {@link RunContext#recordIn}), runs, and returns its typed result or throws.
 */
@FunctionalInterface
public interface SubjectJob {
    RunResult run(Subject subject, RunContext context);
}

package io.arca.app.job;

import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import io.arca.core.error.ArcaException;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs one job and records it: a {@link JobEvent.Started}, the job's own events, then a
 * {@link JobEvent.Failed} when it did not succeed, the run record written to every repository the
 * run named, then what the run asked to close at its end ({@link RunContext#closeAtEnd}), and a
 * {@link JobEvent.Finished}. A record that cannot be written (the repository is
 * what failed) is reported as a note to the listener, never instead of the job's own outcome.
 */
public final class RunRecorder {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final String host;
    private final JobListener listener;

    public RunRecorder(Clock clock, JobListener listener) {
        this(clock, localHost(), listener);
    }

    public RunRecorder(Clock clock, String host, JobListener listener) {
        this.clock = Objects.requireNonNull(clock);
        this.host = Objects.requireNonNull(host);
        this.listener = Objects.requireNonNull(listener);
    }

    /** A new run id, from now. */
    public String newRunId() {
        return BackupId.generate(clock.instant(), RANDOM).value();
    }

    /**
     * Runs {@code work} as run {@code runId} (null: a new id) of {@code job} for {@code subject},
     * recording it in {@code recordIn} and in every repository the work adds. Returns the work's
     * result; rethrows its failure (as an {@link ArcaException}) after the record is written.
     */
    public <T extends RunResult> T run(String runId, RunRecord.Job job, String subject, RunRecord.Trigger trigger,
            List<Repository> recordIn, Function<RunContext, T> work) {
        String id = runId != null ? runId : newRunId();
        Instant started = clock.instant();
        RunContext ctx = new RunContext(id, listener, recordIn);
        listener.on(new JobEvent.Started(id, job.jobName(), subject, trigger.triggerName(), started));
        T result;
        try {
            result = work.apply(ctx);
        } catch (RuntimeException | Error e) {
            ArcaException failure = Failures.of(e);
            // a failure with a result (a failed drill's evidence) records what that result names
            RunResult done = failure instanceof FailedRun f && f.result() != null ? f.result() : null;
            finish(ctx, new RunRecord(RunRecord.FORMAT_VERSION, id, job.jobName(), subject, trigger.triggerName(), host,
                    started, clock.instant(), RunRecord.FAILED, code(failure), failure.code().exitCode(),
                    failure.getMessage(), done == null ? null : done.bytes(), done == null ? null : done.storedBytes(),
                    done == null ? null : done.backupId(), done == null ? Map.of() : done.details()), failure);
            if (e instanceof Error err) {
                throw err;
            }
            throw failure;
        }
        ArcaException partial = result.partialFailure();
        finish(ctx, new RunRecord(RunRecord.FORMAT_VERSION, id, job.jobName(), subject, trigger.triggerName(), host,
                started, clock.instant(), partial == null ? RunRecord.SUCCEEDED : RunRecord.PARTIAL,
                partial == null ? null : code(partial), partial == null ? 0 : partial.code().exitCode(),
                partial == null ? null : partial.getMessage(), result.bytes(), result.storedBytes(),
                result.backupId(), result.details()), partial);
        return result;
    }

    private void finish(RunContext ctx, RunRecord record, ArcaException failure) {
        if (failure != null) {
            listener.on(new JobEvent.Failed(record.runId(), record.errorCode(), record.exitCode(), record.message(),
                    failure.hint()));
        }
        // an interrupted run (a signal, a server shutting down) is recorded too: file channels
        // close on an interrupted thread, so the status waits until the record is written
        boolean interrupted = Thread.interrupted();
        try {
            for (Repository repo : ctx.repositories()) {
                try {
                    repo.runs().write(record);
                } catch (RuntimeException e) {
                    listener.on(new JobEvent.RecordNotWritten(record.runId(), repo.storage().url().toString(),
                            Failures.of(e).getMessage()));
                }
            }
            ctx.closeAll();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        listener.on(new JobEvent.Finished(record.runId(), record));
    }

    private static String code(ArcaException e) {
        return "ARCA-" + e.code().number();
    }

    private static String localHost() {
        String pod = System.getenv("HOSTNAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}

package io.arca.app.verify;

import io.arca.app.job.FailedRun;
import io.arca.app.job.RunContext;
import io.arca.app.job.RunResult;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJob;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.repo.Repository;
import io.arca.core.source.BackupSources;
import io.arca.postgres.local.PgBinaries;
import java.time.Clock;
import java.util.List;

/**
 * A scheduled or triggered verify of a configured subject: its newest backup, in each of its
 * repositories (the copies too). A backup that fails is a failed run ({@code ARCA-1600}).
 */
public final class VerifyJob implements SubjectJob {
    private final Clock clock;

    public VerifyJob() {
        this(Clock.systemUTC());
    }

    public VerifyJob(Clock clock) {
        this.clock = clock;
    }

    @Override
    public RunResult run(Subject subject, RunContext context) {
        // the repositories stay open until the run's record is written to them
        SubjectRepositories repos = SubjectRepositories.open(subject, clock);
        context.closeAtEnd(repos);
        List<Repository> all = repos.repositories();
        all.forEach(context::recordIn);
        VerifyResult result = new VerifyService(BackupSources.load(), PgBinaries.discover(List.of()), Progress.NONE)
                .verify(all, VerifyRequest.latest(subject.name()), VerifyListener.NONE);
        ArcaException failure = result.failure();
        if (failure != null) {
            throw new FailedRun(failure, result);
        }
        return result;
    }
}

package io.arca.app.notify;

import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where a {@link Notifier} learns how the previous run of a job and subject ended, to tell a
 * recovery from a plain success. Backed by the repository's job history ({@link #of(RunLog)}), it
 * works the same in {@code arca server} and in a one-shot CLI run (a Kubernetes CronJob): the
 * history, not the process, remembers the failure.
 */
@FunctionalInterface
public interface PreviousOutcomes {
    /** Knows nothing: a notifier then judges from the runs it saw itself. */
    PreviousOutcomes NONE = (job, subject, runId, startedAt) -> Optional.empty();

    /**
     * The run of {@code job} for {@code subject} before run {@code runId}, which started at
     * {@code startedAt}: the newest other run that started no later. Called off the job's thread,
     * while or after that run writes its own record, so it must not take the newest record blindly.
     * May throw: the notifier then judges from what it saw itself.
     */
    Optional<RunRecord> before(String job, String subject, String runId, Instant startedAt);

    /** From the run records of one repository. */
    static PreviousOutcomes of(RunLog log) {
        Objects.requireNonNull(log, "log");
        return of(() -> List.of(log));
    }

    /**
     * From the run records of several repositories (a subject whose backups are copied): the newest
     * answer wins. {@code logs} is asked at each lookup, so it may open repositories lazily.
     */
    static PreviousOutcomes of(Supplier<? extends Collection<RunLog>> logs) {
        Objects.requireNonNull(logs, "logs");
        return perSubject(subject -> logs.get());
    }

    /**
     * From the run records of each subject's repositories ({@code arca server}: the repositories
     * its {@code arca.yaml} entry names, {@code *} for runs over a whole repository); the newest
     * answer wins.
     */
    static PreviousOutcomes perSubject(Function<String, ? extends Collection<RunLog>> logs) {
        Objects.requireNonNull(logs, "logs");
        return (job, subject, runId, startedAt) -> {
            RunRecord best = null;
            for (RunLog log : logs.apply(subject)) {
                RunRecord found = RunLogOutcomes.before(log, job, subject, runId, startedAt).orElse(null);
                best = RunRecord.later(best, found);
            }
            return Optional.ofNullable(best);
        };
    }
}

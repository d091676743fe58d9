package io.arca.app.runs;

import io.arca.core.error.UsageException;
import io.arca.core.repo.run.RunRecord;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which run records to list.
 *
 * @param since runs that started at or after this instant
 * @param subject only this subject's runs, or null
 * @param job only this job's runs ({@code backup}, {@code verify}, ...), or null
 * @param failedOnly only runs that did not succeed (failed or partial)
 */
public record RunFilter(Instant since, String subject, String job, boolean failedOnly) {
    public RunFilter {
        Objects.requireNonNull(since, "since");
        if (job != null) {
            try {
                RunRecord.Job.of(job);
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown job '" + job + "': use one of " + Arrays.stream(RunRecord.Job.values())
                        .map(RunRecord.Job::jobName).collect(Collectors.joining(", ")), e);
            }
        }
    }

    /** Whether {@code run} passes this filter (its start is checked by the listing). */
    public boolean accepts(RunRecord run) {
        return (subject == null || subject.equals(run.subject())) && (job == null || job.equals(run.job()))
                && (!failedOnly || !run.succeeded());
    }
}

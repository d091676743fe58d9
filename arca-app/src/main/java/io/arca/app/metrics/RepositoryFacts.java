package io.arca.app.metrics;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.repo.status.RecoveryObjectives;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one refresh read from one repository: the facts metrics are rendered from. Ages are not
 * facts: they are computed when rendering, so that a cached refresh still shows ages as of each scrape.
 *
 * @param repository the {@code repository} label
 * @param readAt when the refresh started
 * @param took how long it took
 * @param error why the repository could not be read (one line), or null when it was
 * @param errorCode the code of that failure, or null
 * @param jobs the last runs per job and subject
 * @param runs run record counts per job, subject and outcome
 * @param subjects per subject as {@code arca status} judges it: backups, objectives, drills
 * @param wal per subject with a WAL archive: its newest segment and gaps
 * @param bytes stored bytes by area ({@code backups}, {@code wal}, {@code runs}, {@code drills}, {@code other})
 * @param damagedBackups backups whose manifest cannot be trusted
 * @param incompleteBackups backup folders without a manifest
 */
record RepositoryFacts(String repository, Instant readAt, Duration took, String error, ErrorCode errorCode,
        List<Job> jobs, List<RunCount> runs, List<SubjectFacts> subjects, List<Wal> wal, Map<String, Long> bytes,
        int damagedBackups, int incompleteBackups) {

    RepositoryFacts {
        jobs = List.copyOf(jobs);
        runs = List.copyOf(runs);
        subjects = List.copyOf(subjects);
        wal = List.copyOf(wal);
        bytes = Map.copyOf(bytes);
    }

    /** A refresh that could not read the repository. */
    static RepositoryFacts failed(String repository, Instant readAt, Duration took, ArcaException error) {
        String message = error.getMessage() == null ? error.code().name()
                : error.getMessage().lines().findFirst().orElse("");
        return new RepositoryFacts(repository, readAt, took, message, error.code(), List.of(), List.of(), List.of(),
                List.of(), Map.of(), 0, 0);
    }

    /**
     * One job and subject's runs, from {@code RunLog.latest()}.
     *
     * @param last the last run to end
     * @param lastSuccess the last run that succeeded, or null
     * @param lastFailure the last run that failed or was partial, or null
     */
    record Job(String subject, String job, RunRecord last, RunRecord lastSuccess, RunRecord lastFailure) {
    }

    /** How many run records of one job, subject and outcome were read. */
    record RunCount(String subject, String job, String outcome, long count) {
    }

    /**
     * One subject's backups and drills against its objectives.
     *
     * @param backups its complete backups (safety and partial ones included)
     * @param newest its newest valid backup (complete, full, not a safety backup), or null
     * @param recoveryPoint the newest point it can be restored to, or null
     * @param objectives its objectives
     * @param lastDrill its newest drill, or null
     * @param lastPass its newest passing drill, or null
     * @param problems how many problems {@code arca status} reports for it
     */
    record SubjectFacts(String subject, int backups, Newest newest, Instant recoveryPoint,
            RecoveryObjectives objectives, Drill lastDrill, Drill lastPass, int problems) {
    }

    /** The numbers of a subject's newest valid backup. */
    record Newest(String backupId, Instant startedAt, Duration duration, long bytes, long storedBytes) {
    }

    /**
     * A drill's result.
     *
     * @param rto the recovery time it measured, or null
     */
    record Drill(Instant startedAt, boolean passed, Duration rto) {
    }

    /**
     * The WAL archive of the cluster a subject's physical backups come from.
     *
     * @param lastSegment when its newest segment was archived
     * @param missingSegments segments missing on the newest timeline (see {@link Metric#WAL_MISSING_SEGMENTS})
     */
    record Wal(String subject, Instant lastSegment, long missingSegments) {
    }
}

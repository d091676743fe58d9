package io.arca.server.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.arca.app.catalog.BackupSummary;
import io.arca.app.status.SubjectStatus;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.run.RunRecord;
import io.arca.server.RunState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The API's response bodies that are not the application's own results. Backups and subjects are
 * the typed results {@code arca list} and {@code arca status} print ({@link BackupSummary},
 * {@link SubjectStatus}), with the repository they come from; runs are run records with their
 * state in this server's queue. The OpenAPI description ({@code openapi.json}) states all of them,
 * and {@code OpenApiContractIT} holds real answers to it: change both together.
 */
final class Views {
    private Views() {
    }

    record ErrorBody(Error error) {
        record Error(String code, String message, String hint) {
        }

        static ErrorBody of(String code, String message, String hint) {
            return new ErrorBody(new Error(code, message, hint));
        }
    }

    record Health(String status) {
    }

    record Readiness(boolean ready, List<String> reasons) {
    }

    /** A backup in a list: its summary and the repository of arca.yaml it is in. */
    @JsonPropertyOrder({"repository"})
    record Backup(String repository, @JsonUnwrapped BackupSummary summary) {
    }

    /** {@code GET /api/v1/status}: every subject, and the repositories' own problems. */
    record Status(Instant now, boolean ok, List<Subject> subjects, List<String> problems) {
    }

    /** A subject's status, from the repository it was judged in (its first in arca.yaml). */
    @JsonPropertyOrder({"repository"})
    record Subject(String repository, @JsonUnwrapped SubjectStatus status) {
    }

    /**
     * A run: its record's fields once it has finished, plus its state here. While queued or running
     * in this server, only the fields the queue knows.
     *
     * @param state {@code queued}, {@code running}, or the outcome ({@code succeeded}, {@code failed},
     *     {@code partial})
     * @param repositories the repositories its record was written to
     */
    @JsonPropertyOrder({"runId", "job", "subject", "trigger", "state"})
    record Run(String runId, String job, String subject, String trigger, String state, Instant queuedAt,
            Instant startedAt, Instant finishedAt, Long durationMillis, String host, String outcome, String errorCode,
            Integer exitCode, String message, Long bytes, Long storedBytes, String backupId,
            Map<String, String> details, List<String> repositories) {
        static Run of(RunRecord r, Instant queuedAt, List<String> repositories) {
            return new Run(r.runId(), r.job(), r.subject(), r.trigger(), r.outcome(), queuedAt, r.startedAt(),
                    r.finishedAt(), r.duration().toMillis(), r.host(), r.outcome(), r.errorCode(), r.exitCode(),
                    r.message(), r.bytes(), r.storedBytes(), r.backupId(), r.details().isEmpty() ? null : r.details(),
                    repositories);
        }

        static Run of(RunState s) {
            if (s.record() != null) {
                return of(s.record(), s.queuedAt(), null);
            }
            return new Run(s.runId(), s.job(), s.subject(), s.trigger(), s.state(), s.queuedAt(), s.startedAt(),
                    null, null, null, null, null, null, null, null, null, null, null, null);
        }
    }

    /** A drill's evidence in short (the tables and checks are in the repository's drill record). */
    record Drill(String drillId, String repository, String subject, String backupId, String database,
            Instant startedAt, Instant finishedAt, Instant backupStartedAt, long backupAgeSeconds, Long rtoMillis,
            String rtoTarget, String verdict, String failure, Map<String, Long> timings) {
        static Drill of(String repository, String subject, DrillRecord d) {
            return new Drill(d.drillId(), repository, subject, d.backupId(), d.database(), d.startedAt(),
                    d.finishedAt(), d.backupStartedAt(), d.backupAgeSeconds(), d.rtoMillis(), d.rtoTarget(),
                    d.verdict(), d.failure(), d.timings());
        }
    }
}

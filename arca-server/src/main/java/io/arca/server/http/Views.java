package io.arca.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.repo.status.RecoveryStatus;
import io.arca.core.source.Section;
import io.arca.server.RunState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The API's response bodies. These records are the contract the OpenAPI description
 * ({@code openapi.json}) states and {@code OpenApiContractIT} checks: change both together.
 */
final class Views {
    private Views() {
    }

    /** The subject label: a backup taken for a subject of {@code arca.yaml} carries it. */
    static final String SUBJECT_LABEL = "subject";

    /** The subject a backup belongs to: its {@code subject} label, else its first section's database or identity. */
    static String subjectOf(BackupManifest m) {
        String label = m.labels().get(SUBJECT_LABEL);
        if (label != null && !label.isBlank()) {
            return label;
        }
        for (Section s : m.sections()) {
            String name = RecoveryStatus.nameOf(s);
            if (name != null) {
                return name;
            }
        }
        return null;
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

    record SectionView(String source, String subject, boolean partial, List<String> artifacts) {
        static SectionView of(Section s) {
            return new SectionView(s.source(), s.subject() == null ? null : s.subject().uri(), s.partial(),
                    s.artifacts());
        }
    }

    /** A backup in a list. */
    record BackupSummary(String id, String repository, String subject, Instant startedAt, Instant finishedAt,
            long durationMillis, long size, long storedSize, boolean partial, boolean safety,
            Map<String, String> labels, List<SectionView> sections) {
        static BackupSummary of(String repository, BackupManifest m) {
            return new BackupSummary(m.backupId(), repository, subjectOf(m), m.startedAt(), m.finishedAt(),
                    m.duration().toMillis(), m.size(), m.storedSize(), m.partial(), m.safety(), m.labels(),
                    m.sections().stream().map(SectionView::of).toList());
        }
    }

    record ArtifactView(String name, String source, String format, String file, long size, long storedSize,
            String sha256, String storedSha256, List<String> codecs, boolean encrypted) {
        static ArtifactView of(ArtifactRecord a) {
            return new ArtifactView(a.name(), a.source(), a.format(), a.file(), a.size(), a.storedSize(), a.sha256(),
                    a.storedSha256(), a.codecs(), a.encryption() != null);
        }
    }

    /** One backup, whole: the summary, the artifacts, and each section's details as the manifest has them. */
    record BackupDetail(String id, String repository, List<String> repositories, String subject, Instant startedAt,
            Instant finishedAt, long durationMillis, long size, long storedSize, boolean partial, boolean safety,
            Map<String, String> labels, Map<String, String> tools, List<String> parents, Map<String, Long> timings,
            List<SectionDetail> sections, List<ArtifactView> artifacts) {
        static BackupDetail of(String repository, List<String> repositories, BackupManifest m) {
            return new BackupDetail(m.backupId(), repository, repositories, subjectOf(m), m.startedAt(),
                    m.finishedAt(), m.duration().toMillis(), m.size(), m.storedSize(), m.partial(), m.safety(),
                    m.labels(), m.tools(), m.parents(), m.timings(),
                    m.sections().stream().map(SectionDetail::of).toList(),
                    m.artifacts().stream().map(ArtifactView::of).toList());
        }
    }

    record SectionDetail(String source, String subject, boolean partial, List<String> artifacts, JsonNode details) {
        static SectionDetail of(Section s) {
            return new SectionDetail(s.source(), s.subject() == null ? null : s.subject().uri(), s.partial(),
                    s.artifacts(), s.details());
        }
    }

    /**
     * A run: queued or running (from the server's queue), or finished (from its record).
     *
     * @param state {@code queued}, {@code running}, {@code succeeded}, {@code failed} or {@code partial}
     */
    record RunView(String id, String job, String subject, String trigger, String state, Instant queuedAt,
            Instant startedAt, Instant finishedAt, Long durationMillis, String host, String errorCode, String message,
            Long bytes, Long storedBytes, String backupId, Map<String, String> details, List<String> repositories) {
        static RunView of(RunRecord r, List<String> repositories) {
            return new RunView(r.runId(), r.job(), r.subject(), r.trigger(), r.outcome(), null, r.startedAt(),
                    r.finishedAt(), r.duration().toMillis(), r.host(), r.errorCode(), r.message(), r.bytes(),
                    r.storedBytes(), r.backupId(), r.details().isEmpty() ? null : r.details(), repositories);
        }

        static RunView of(RunState s) {
            if (s.record() != null) {
                RunView v = of(s.record(), null);
                return new RunView(v.id(), v.job(), v.subject(), v.trigger(), v.state(), s.queuedAt(), v.startedAt(),
                        v.finishedAt(), v.durationMillis(), v.host(), v.errorCode(), v.message(), v.bytes(),
                        v.storedBytes(), v.backupId(), v.details(), null);
            }
            return new RunView(s.runId(), s.job(), s.subject(), s.trigger(), s.state(), s.queuedAt(), s.startedAt(),
                    null, null, null, null, null, null, null, null, null, null);
        }
    }

    record DrillView(String id, String repository, String subject, String backupId, String database, Instant startedAt,
            Instant finishedAt, Instant backupStartedAt, long backupAgeSeconds, Long rtoMillis, String rtoTarget,
            String verdict, String failure, Map<String, Long> timings) {
        static DrillView of(String repository, String subject, DrillRecord d) {
            return new DrillView(d.drillId(), repository, subject, d.backupId(), d.database(), d.startedAt(),
                    d.finishedAt(), d.backupStartedAt(), d.backupAgeSeconds(), d.rtoMillis(), d.rtoTarget(),
                    d.verdict(), d.failure(), d.timings());
        }
    }

    /** {@code GET /api/v1/status}. */
    record StatusView(Instant now, boolean ok, List<SubjectStatus> subjects) {
    }

    /**
     * One subject against its objectives.
     *
     * @param objectives the objectives as configured ({@code 36h}; absent when not checked)
     * @param newestBackup the newest full backup that counts for the RPO
     * @param backupAgeSeconds its age now
     * @param window the recoverable window: from the oldest to the newest point a restore can reach
     * @param lastDrill the newest drill, passed or failed
     * @param measuredRtoMillis the recovery time the newest passing drill measured
     * @param lastRuns per job: the last run, the last success, the last failure
     * @param problems every missed objective, one line each
     */
    record SubjectStatus(String subject, List<String> repositories, Objectives objectives, BackupRef newestBackup,
            Long backupAgeSeconds, Boolean rpoMet, Window window, DrillRef lastDrill, Long measuredRtoMillis,
            Boolean rtoMet, Boolean drillWithinMet, Map<String, LastRuns> lastRuns, List<String> problems,
            boolean ok) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Objectives(String rpo, Long rpoSeconds, String rto, Long rtoSeconds, String drillWithin,
            Long drillWithinSeconds) {
    }

    record BackupRef(String id, String repository, Instant startedAt, Instant finishedAt, long size,
            long storedSize) {
    }

    record Window(Instant from, Instant to, boolean wal) {
    }

    record DrillRef(String id, String backupId, Instant startedAt, Instant finishedAt, String verdict, String failure,
            Long rtoMillis) {
    }

    record LastRuns(RunView last, RunView lastSuccess, RunView lastFailure) {
    }
}

package io.arca.core.repo.run;

import io.arca.core.repo.BackupId;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of a job, {@code runs/YYYY/MM/DD/<run-id>.json}: written once when the run ends (with
 * {@code if-absent}: a record is never rewritten), whether it succeeded or failed.
 *
 * @param formatVersion the record format, {@link #FORMAT_VERSION}
 * @param runId the run's id (the form of a backup id, from the run's start)
 * @param job what ran: {@code backup}, {@code physical-backup}, {@code verify}, {@code drill}, {@code prune}, {@code copy},
 *     {@code wal-receive} (see {@link Job})
 * @param subject what it ran for, as the subject's name ({@code app}, a database name, ...); the
 *     label of its metrics, so one subject keeps one name; {@code *} for a run over the whole
 *     repository (a prune without a subject)
 * @param trigger who started it: {@code cli}, {@code schedule}, {@code api}
 * @param host the host (or pod) it ran on
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param outcome {@code succeeded}, {@code failed} or {@code partial} (done, with a part missing:
 *     exit code 3)
 * @param errorCode the stable error code ({@code ARCA-1009}) of a run that did not succeed, or null
 * @param exitCode the exit code the CLI gives for that outcome
 * @param message the one-line error message, or null
 * @param bytes the plain bytes the run handled (a backup's logical size), or null
 * @param storedBytes the bytes it stored (compressed and encrypted), or null
 * @param backupId the backup it made or used, or null
 * @param details a few more facts, by job (the drill id, the backups a prune removed, ...)
 */
public record RunRecord(int formatVersion, String runId, String job, String subject, String trigger, String host,
        Instant startedAt, Instant finishedAt, String outcome, String errorCode, Integer exitCode, String message,
        Long bytes, Long storedBytes, String backupId, Map<String, String> details) {
    public static final int FORMAT_VERSION = 1;
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String PARTIAL = "partial";
    /** The subject of a run over the whole repository. */
    public static final String ALL_SUBJECTS = "*";

    public RunRecord {
        new BackupId(runId); // a record names its file: refuse any other form
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public boolean succeeded() {
        return SUCCEEDED.equals(outcome);
    }

    public BackupId id() {
        return new BackupId(runId);
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /** Of two runs (either may be null), the one that finished later; ties go to the greater run id. */
    public static RunRecord later(RunRecord a, RunRecord b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        int c = a.finishedAt().compareTo(b.finishedAt());
        return c > 0 || c == 0 && a.runId().compareTo(b.runId()) >= 0 ? a : b;
    }

    /** The jobs that write run records; {@link #name()} is the record's {@code job}. */
    public enum Job {
        BACKUP("backup"), PHYSICAL_BACKUP("physical-backup"), VERIFY("verify"), DRILL("drill"), PRUNE("prune"), COPY("copy"), WAL_RECEIVE("wal-receive");

        private final String name;

        Job(String name) {
            this.name = name;
        }

        public String jobName() {
            return name;
        }

        public static Job of(String name) {
            for (Job j : values()) {
                if (j.name.equals(name)) {
                    return j;
                }
            }
            throw new IllegalArgumentException("unknown job '" + name + "'");
        }
    }

    /** Who started a run; {@link #name()} lower-cased is the record's {@code trigger}. */
    public enum Trigger {
        CLI, SCHEDULE, API;

        public String triggerName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

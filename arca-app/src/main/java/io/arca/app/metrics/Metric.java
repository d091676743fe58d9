package io.arca.app.metrics;

import java.util.List;

/**
 * Every metric family {@link MetricsModel} can emit, with its type, labels and meaning; the
 * contract with the alert rules, the dashboard and {@code docs/metrics.md}. Labels are few and
 * low-cardinality ({@code repository}, {@code subject}, {@code job_name}, and a small fixed set of
 * {@code outcome}/{@code area} values): never a backup or run id.
 *
 * <p>The job a run record names is the label {@code job_name}, not {@code job}: Prometheus gives
 * every scraped sample its target's {@code job} label and would rename ours to {@code exported_job}
 * (kube-state-metrics' {@code job_name} is the precedent).
 */
public enum Metric {
    // the refresh itself
    SCRAPE_ERROR("arca_metrics_scrape_error", Type.GAUGE, List.of("repository"),
            "1 when the repository could not be read at the last refresh (its other metrics are then left out),"
                    + " else 0"),
    REFRESH_DURATION("arca_metrics_refresh_duration_seconds", Type.GAUGE, List.of("repository"),
            "How long the last refresh took to read the repository"),
    REFRESH_TIMESTAMP("arca_metrics_refresh_timestamp_seconds", Type.GAUGE, List.of("repository"),
            "When the repository was last read (the metrics of the other families are as of then)"),
    BUILD_INFO("arca_build_info", Type.INFO, List.of("version"), "The Arca version that computed the metrics"),

    // run records, per job and subject
    JOB_LAST_RUN_TIMESTAMP("arca_job_last_run_timestamp_seconds", Type.GAUGE, Labels.JOB,
            "When the last run of the job for the subject ended"),
    JOB_LAST_RUN_SUCCESS("arca_job_last_run_success", Type.GAUGE, Labels.JOB,
            "1 when the last run of the job for the subject succeeded, 0 when it failed or was partial"),
    JOB_LAST_RUN_DURATION("arca_job_last_run_duration_seconds", Type.GAUGE, Labels.JOB,
            "How long the last run of the job for the subject took"),
    JOB_LAST_SUCCESS_TIMESTAMP("arca_job_last_success_timestamp_seconds", Type.GAUGE, Labels.JOB,
            "When the last successful run of the job for the subject ended"),
    JOB_LAST_FAILURE_TIMESTAMP("arca_job_last_failure_timestamp_seconds", Type.GAUGE, Labels.JOB,
            "When the last failed (or partial) run of the job for the subject ended"),
    JOB_RUNS("arca_job_runs_total", Type.COUNTER, List.of("repository", "subject", "job_name", "outcome"),
            "Run records of the job for the subject, by outcome (succeeded, failed, partial)"),

    // backups, per subject
    BACKUPS("arca_backups", Type.GAUGE, List.of("repository", "subject"),
            "Complete backups holding the subject (safety and partial ones included)"),
    BACKUP_NEWEST_TIMESTAMP("arca_backup_newest_timestamp_seconds", Type.GAUGE, List.of("repository", "subject"),
            "When the subject's newest valid backup (complete, full, not a safety backup) started"),
    BACKUP_AGE("arca_backup_age_seconds", Type.GAUGE, List.of("repository", "subject"),
            "Age of the subject's newest valid backup when the metrics were computed"),
    BACKUP_NEWEST_BYTES("arca_backup_newest_bytes", Type.GAUGE, List.of("repository", "subject"),
            "Logical (plain) bytes of the subject's newest valid backup"),
    BACKUP_NEWEST_STORED_BYTES("arca_backup_newest_stored_bytes", Type.GAUGE, List.of("repository", "subject"),
            "Stored (compressed, encrypted) bytes of the subject's newest valid backup"),
    BACKUP_NEWEST_DURATION("arca_backup_newest_duration_seconds", Type.GAUGE, List.of("repository", "subject"),
            "How long the subject's newest valid backup took"),
    RPO_TARGET("arca_rpo_target_seconds", Type.GAUGE, List.of("repository", "subject"),
            "The subject's recovery point objective (absent when none is set)"),
    RECOVERY_POINT_TIMESTAMP("arca_recovery_point_timestamp_seconds", Type.GAUGE, List.of("repository", "subject"),
            "The newest point in time the subject can be restored to: its newest valid backup's (a logical"
                    + " backup's start, a physical backup's end), or the end of the unbroken WAL archived after a"
                    + " physical backup"),

    STATUS_PROBLEMS("arca_status_problems", Type.GAUGE, List.of("repository", "subject"),
            "How many problems arca status reports for the subject (0: every objective met, no last run failed)"),

    // WAL archive, per cluster, named by the subject of its newest physical backup
    WAL_LAST_SEGMENT_TIMESTAMP("arca_wal_last_segment_timestamp_seconds", Type.GAUGE, List.of("repository", "subject"),
            "When the newest WAL segment (or partial segment) of the subject's cluster was archived"),
    WAL_LAST_SEGMENT_AGE("arca_wal_last_segment_age_seconds", Type.GAUGE, List.of("repository", "subject"),
            "Time since the newest WAL segment of the subject's cluster was archived, when the metrics were computed"),
    WAL_MISSING_SEGMENTS("arca_wal_missing_segments", Type.GAUGE, List.of("repository", "subject"),
            "WAL segments missing from the archive on the newest timeline, from the newest physical backup's start"
                    + " to the newest archived segment (0 when the WAL runs unbroken)"),

    // drills and recovery time, per subject
    DRILL_LAST_TIMESTAMP("arca_drill_last_timestamp_seconds", Type.GAUGE, List.of("repository", "subject"),
            "When the subject's newest drill started"),
    DRILL_LAST_SUCCESS("arca_drill_last_success", Type.GAUGE, List.of("repository", "subject"),
            "1 when the subject's newest drill passed, 0 when it failed"),
    DRILL_LAST_PASS_TIMESTAMP("arca_drill_last_pass_timestamp_seconds", Type.GAUGE, List.of("repository", "subject"),
            "When the subject's newest passing drill started"),
    DRILL_WITHIN_TARGET("arca_drill_within_target_seconds", Type.GAUGE, List.of("repository", "subject"),
            "A drill of the subject must have passed within this long (absent when the check is off)"),
    RTO_MEASURED("arca_rto_measured_seconds", Type.GAUGE, List.of("repository", "subject"),
            "The recovery time the subject's newest passing drill measured (restore and checks)"),
    RTO_TARGET("arca_rto_target_seconds", Type.GAUGE, List.of("repository", "subject"),
            "The subject's recovery time objective (absent when none is set)"),

    // the repository as a whole
    REPOSITORY_BYTES("arca_repository_bytes", Type.GAUGE, List.of("repository", "area"),
            "Bytes stored in the repository, by area: backups, wal, runs, drills, other"),
    REPOSITORY_DAMAGED_BACKUPS("arca_repository_damaged_backups", Type.GAUGE, List.of("repository"),
            "Backups whose manifest cannot be read or trusted (never restored as latest, never pruned)"),
    REPOSITORY_INCOMPLETE_BACKUPS("arca_repository_incomplete_backups", Type.GAUGE, List.of("repository"),
            "Backup folders without a manifest (interrupted or running backups)");

    /** The labels of the metrics of a job's runs. */
    private static final class Labels {
        static final List<String> JOB = List.of("repository", "subject", "job_name");
    }

    /** How a family is exposed. */
    public enum Type {
        GAUGE, COUNTER, INFO;

        /** The type as the text format's {@code # TYPE} line writes it (an info family is a gauge there). */
        public String textType() {
            return this == COUNTER ? "counter" : "gauge";
        }
    }

    private final String name;
    private final Type type;
    private final List<String> labels;
    private final String help;

    Metric(String name, Type type, List<String> labels, String help) {
        this.name = name;
        this.type = type;
        this.labels = labels;
        this.help = help;
    }

    /** The name of the family's samples as exposed ({@code ..._total} for a counter, {@code ..._info} for an info). */
    public String metricName() {
        return name;
    }

    /**
     * The family's name in the client model, which adds the suffix of counters and infos itself
     * ({@code arca_job_runs} for {@code arca_job_runs_total}).
     */
    String modelName() {
        return switch (type) {
            case COUNTER -> name.substring(0, name.length() - "_total".length());
            case INFO -> name.substring(0, name.length() - "_info".length());
            case GAUGE -> name;
        };
    }

    public Type type() {
        return type;
    }

    public List<String> labels() {
        return labels;
    }

    public String help() {
        return help;
    }
}

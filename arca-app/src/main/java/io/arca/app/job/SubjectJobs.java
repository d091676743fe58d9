package io.arca.app.job;

import io.arca.core.repo.run.RunRecord;

/** The job that runs each kind of run for a configured subject. */
public final class SubjectJobs {
    private SubjectJobs() {
    }

    public static SubjectJob of(RunRecord.Job job) {
        return switch (job) {
            case BACKUP -> new io.arca.app.backup.BackupJob(false);
            case PHYSICAL_BACKUP -> new io.arca.app.backup.BackupJob(true);
            case PRUNE -> new io.arca.app.prune.PruneJob();
            case VERIFY -> new io.arca.app.verify.VerifyJob();
            case DRILL -> new io.arca.app.drill.DrillJob();
            case WAL_RECEIVE -> new io.arca.app.wal.WalReceiveJob();
            case COPY -> throw new IllegalArgumentException("copy runs as part of a backup to several repositories");
        };
    }
}

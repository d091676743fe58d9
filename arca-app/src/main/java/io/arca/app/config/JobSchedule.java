package io.arca.app.config;

import io.arca.core.repo.run.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One scheduled job of a subject: what {@code schedules} in {@code arca.yaml} says, read.
 *
 * @param subject the subject's name
 * @param job the job (never {@link RunRecord.Job#WAL_RECEIVE}: that one runs continuously)
 * @param schedule when it runs
 */
public record JobSchedule(String subject, RunRecord.Job job, CronSchedule schedule) {
    public JobSchedule {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(schedule, "schedule");
    }

    /**
     * Every scheduled job of a loaded configuration, subject by subject in file order, jobs in the
     * order backup, physical-backup, verify, drill, prune.
     *
     * @throws io.arca.core.error.UsageException for a schedule that {@link ConfigLoader} would have refused
     */
    public static List<JobSchedule> of(ArcaConfig config) {
        List<JobSchedule> all = new ArrayList<>();
        if (config.subjects() == null) {
            return all;
        }
        for (Map.Entry<String, ArcaConfig.SubjectEntry> e : config.subjects().entrySet()) {
            ArcaConfig.Schedules s = e.getValue().schedules();
            if (s == null) {
                continue;
            }
            add(all, e.getKey(), RunRecord.Job.BACKUP, s.backup(), s.timezone());
            add(all, e.getKey(), RunRecord.Job.PHYSICAL_BACKUP, s.physicalBackup(), s.timezone());
            add(all, e.getKey(), RunRecord.Job.VERIFY, s.verify(), s.timezone());
            add(all, e.getKey(), RunRecord.Job.DRILL, s.drill(), s.timezone());
            add(all, e.getKey(), RunRecord.Job.PRUNE, s.prune(), s.timezone());
        }
        return all;
    }

    private static void add(List<JobSchedule> all, String subject, RunRecord.Job job, String cron, String zone) {
        if (cron != null) {
            all.add(new JobSchedule(subject, job, CronSchedule.parse(cron, zone)));
        }
    }
}

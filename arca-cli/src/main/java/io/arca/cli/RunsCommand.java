package io.arca.cli;

import io.arca.app.json.AppJson;
import io.arca.app.runs.RunFilter;
import io.arca.app.runs.RunHistory;
import io.arca.core.error.UsageException;
import io.arca.core.repo.Repository;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.Storage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code arca runs}: the job history recorded in the repository. */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = {"List the runs recorded in the repository (runs/), newest first: every backup, physical"
                + " backup, verify, drill, prune, copy and wal-receive, whether run from the command line, a"
                + " Kubernetes CronJob or 'arca server', with its outcome and error.",
                "Reads only the repository: needs no key and no PostgreSQL. Exits 0, also when a run failed"
                        + " ('arca status' judges them)."})
final class RunsCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "7d",
            description = "Runs that started at most this long ago (such as 36h, 30d; default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--subject", paramLabel = "NAME", description = "Only the runs of this subject.")
    String subject;

    @Option(names = "--job", paramLabel = "JOB",
            description = "Only the runs of this job: backup, physical-backup, verify, drill, prune, copy,"
                    + " wal-receive.")
    String job;

    @Option(names = "--failed", description = "Only the runs that did not succeed (failed or partial).")
    boolean failed;

    @Override
    public Integer call() {
        Duration back;
        try {
            back = DurationText.parse(since);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--since: invalid duration '" + since + "': use e.g. 36h, 7d, 90d", e);
        }
        Instant from = Instant.now().minus(back);
        RunFilter filter = new RunFilter(from, subject, job, failed);
        try (Storage storage = repository.openStorage()) {
            Repository repo = repository.open(storage);
            List<RunRecord> runs = new RunHistory().list(repo, filter);
            if (output.json()) {
                root.out.println(AppJson.write(runs));
                root.out.flush();
                return 0;
            }
            if (runs.isEmpty()) {
                root.out.println("no " + (failed ? "failed " : "") + "runs" + (job == null ? "" : " of " + job)
                        + (subject == null ? "" : " of subject '" + subject + "'") + " since " + Text.time(from)
                        + " in " + storage.url());
                root.out.flush();
                return 0;
            }
            Text.Table t = new Text.Table("RUN", "JOB", "SUBJECT", "TRIGGER", "STARTED", "DURATION", "OUTCOME", "BACKUP",
                    "ERROR");
            for (RunRecord r : runs) {
                t.row(r.runId(), r.job(), r.subject(), r.trigger(), Text.time(r.startedAt()), Text.duration(r.duration()),
                        r.outcome(), r.backupId(), r.errorCode() == null ? null
                                : r.errorCode() + (r.message() == null ? "" : " " + r.message()));
            }
            t.print(root.out);
            root.out.flush();
        }
        return 0;
    }
}

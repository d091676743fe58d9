package io.arca.cli;

import io.arca.app.json.AppJson;
import io.arca.app.status.StatusQuery;
import io.arca.app.status.StatusReport;
import io.arca.app.status.StatusService;
import io.arca.app.status.SubjectStatus;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.status.RecoveryObjectives;
import io.arca.core.repo.status.RecoveryStatus;
import io.arca.core.storage.Storage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code arca status}: each database against its recovery objectives; exits 1 when one is missed. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Check each database's recovery objectives: its newest backup is no older than the RPO"
                + " (safety backups and partial backups taken with --table/--schema/--exclude-table do not count),"
                + " its last drill ('arca drill') did not fail, the newest passing"
                + " drill restored it within the RTO, and a drill passed within the drill-within period.",
                "Each objective comes from the flags, else from the database's entry saved in arca.json (--save),"
                        + " else from the '*' entry there. RPO and RTO are checked only when set; drill-within is 7d"
                        + " unless set; 'none' turns a check off.",
                "Checks the databases that have a backup or a drill and those named in saved objectives, or only"
                        + " --database. With objectives given or saved and no backup at all, the repository misses"
                        + " them.",
                "Backups taken with --subject (label subject=NAME) count for that subject, others for their database."
                        + " The run records count too: a backup, verify or drill whose last run failed after its last"
                        + " success is a problem until a later run succeeds ('arca runs --failed' lists them).",
                "Exits 0 when every objective is met, 1 (ARCA-1009) when one is missed, after printing every"
                        + " problem: run it as a monitoring check, such as a Kubernetes CronJob. Exits 2 for bad"
                        + " input. Reads only the repository: needs no key and no PostgreSQL."})
final class StatusCommand implements Callable<Integer> {
    private static final RepositoryConfig.Objectives NOTHING_GIVEN = new RepositoryConfig.Objectives(null, null, null);

    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;

    @Option(names = "--rpo", paramLabel = "DURATION|none",
            description = "Recovery point objective: the newest backup may be at most this old (e.g. 24h).")
    String rpo;

    @Option(names = "--rto", paramLabel = "DURATION|none",
            description = "Recovery time objective: the newest passing drill's measured recovery time may be at most"
                    + " this long (e.g. 4h).")
    String rto;

    @Option(names = "--drill-within", paramLabel = "DURATION|none",
            description = "A drill must have passed at most this long ago (default 7d).")
    String drillWithin;

    @Option(names = {"--subject", "--database"}, paramLabel = "NAME",
            description = "Check only this subject or database (even one without backups); with --save, save for it"
                    + " rather than for every one.")
    String database;

    @Option(names = "--save", description = "Save the given objectives in arca.json (for --database, else for every"
            + " database: '*'), print what was saved and what is checked from now on (defaults included), then"
            + " check with what is saved.")
    boolean save;

    @Override
    public Integer call() {
        RepositoryConfig.Objectives given = given();
        StatusService service = new StatusService(java.time.Clock.systemUTC());
        try (Storage storage = repository.openStorage()) {
            Repository repo = repository.open(storage);
            if (save) {
                Repository updated = service.saveObjectives(repo, database, given);
                if (!output.json()) {
                    printSaved(repo, updated);
                }
                repo = updated;
                // what later runs without flags will check
                given = NOTHING_GIVEN;
            }
            StatusReport status = service.status(repo, new StatusQuery(database, given, null, null));
            print(status, storage);
            if (!status.ok()) {
                throw missed(status, storage);
            }
        }
        return 0;
    }

    /** The objectives from the flags, checked before the repository is opened so that bad input exits 2. */
    private RepositoryConfig.Objectives given() {
        check("--rpo", rpo);
        check("--rto", rto);
        check("--drill-within", drillWithin);
        if (save && rpo == null && rto == null && drillWithin == null) {
            throw new UsageException("--save needs objectives to save: --rpo, --rto or --drill-within");
        }
        if (database != null && (database.isBlank() || database.equals(RecoveryObjectives.EVERY_DATABASE))) {
            throw new UsageException("--subject needs a subject or database name; leave it out for every one");
        }
        return new RepositoryConfig.Objectives(rpo, rto, drillWithin);
    }

    private static void check(String flag, String value) {
        if (value != null) {
            RecoveryObjectives.parse(flag, value);
        }
    }

    /** What was saved, and what a check without flags enforces from now on (defaults and '*' included). */
    private void printSaved(Repository before, Repository updated) {
        String key = database == null ? RecoveryObjectives.EVERY_DATABASE : database;
        RepositoryConfig.Objectives merged = updated.config().defaults().objectives().get(key);
        List<String> entry = new ArrayList<>();
        if (merged.rpo() != null) {
            entry.add("rpo " + merged.rpo());
        }
        if (merged.rto() != null) {
            entry.add("rto " + merged.rto());
        }
        if (merged.drillWithin() != null) {
            entry.add("drill-within " + merged.drillWithin());
        }
        root.out.println("saved objectives for '" + key + "' in " + before.storage().url() + ": "
                + String.join(", ", entry));
        root.out.println("checked from now on for " + (database == null ? "every database" : "'" + database + "'")
                + ": " + RecoveryObjectives.describe(key, NOTHING_GIVEN, updated.config().defaults().objectives()));
    }

    private void print(StatusReport status, Storage storage) {
        if (output.json()) {
            root.out.println(AppJson.write(status.subjects()));
            root.out.flush();
            return;
        }
        if (status.subjects().isEmpty() && status.problems().isEmpty()) {
            root.out.println("nothing to check: no backups or drills in " + storage.url()
                    + " (name a database with --database, or save objectives for it with --save --database)");
            root.out.flush();
            return;
        }
        if (!status.subjects().isEmpty()) {
            Text.Table t = new Text.Table("DATABASE", "NEWEST BACKUP", "AGE", "RPO", "LAST DRILL", "MEASURED RTO",
                    "RTO", "STATUS");
            for (SubjectStatus s : status.subjects()) {
                DrillRecord drill = s.lastDrill();
                t.row(s.subject(), s.newestBackup() == null ? null : s.newestBackup().id(), readable(s.backupAge()),
                        readable(s.objectives().rpo()),
                        drill == null ? null : drill.verdict() + ", " + readable(s.lastDrillAge()) + " ago",
                        readable(s.measuredRto()), readable(s.objectives().rto()),
                        s.ok() ? "ok" : String.join("; ", s.problems()));
            }
            t.print(root.out);
        }
        for (String problem : status.problems()) {
            root.out.println("repository: " + problem);
        }
        root.out.flush();
    }

    private static String readable(Duration d) {
        return d == null ? null : RecoveryStatus.readable(d);
    }

    /** Names each subject that misses an objective with its first problem; the hint says what helps. */
    private static ArcaException missed(StatusReport status, Storage storage) {
        List<SubjectStatus> missed = status.missed();
        List<String> which = new ArrayList<>();
        missed.forEach(s -> which.add(RecoveryStatus.ANY_DATABASE.equals(s.subject())
                ? s.problems().get(0) + " in " + storage.url()
                : "'" + s.subject() + "': " + s.problems().get(0)));
        status.problems().forEach(p -> which.add(p + " in " + storage.url()));
        List<String> todo = new ArrayList<>();
        if (missed.stream().anyMatch(s -> !s.backupProblems().isEmpty())) {
            todo.add("take a backup with 'arca backup' and check that backups run on schedule");
        }
        if (missed.stream().anyMatch(s -> !s.drillProblems().isEmpty())) {
            todo.add("run 'arca drill' and fix what it reports");
        }
        if (!status.problems().isEmpty() || missed.stream().anyMatch(s -> !s.runProblems().isEmpty())) {
            todo.add("see 'arca runs --failed' for the failed runs, fix the cause and run them again");
        }
        return new ArcaException(ErrorCode.OBJECTIVES_MISSED, "recovery objectives missed: " + String.join("; ", which),
                String.join("; ", todo) + "; the output above lists every problem");
    }
}

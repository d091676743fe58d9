package io.arca.cli;

import io.arca.app.prune.PruneRequest;
import io.arca.app.prune.PruneResult;
import io.arca.app.prune.PruneService;
import io.arca.core.error.UsageException;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.repo.run.RunRecord;
import io.arca.postgres.manifest.PostgresSection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code arca prune}: removes backups that no retention rule keeps. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Remove backups that no retention rule keeps, and incomplete backups older than the grace period.",
                "Archived WAL that no kept physical backup needs (before the start of each cluster's oldest kept"
                        + " physical backup) is removed too; timeline history files are kept.",
                "Rules come from the flags, else from the policy saved in the repository (--save-policy)."
                        + " Each database's newest backup is always kept. Safety backups follow --safety-keep-within only.",
                "Takes the repository's exclusive lease: exits 11 while a backup or another prune runs.",
                "Works on a full repository: the lease takes the space of locks/reserve, which is made again afterwards.",
                "Also removes what killed runs left: uncommitted writes in a local repository and arca temp directories,"
                        + " and the records of runs older than --keep-runs (a dry run changes nothing and records nothing)."})
final class PruneCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;
    @Mixin
    RetentionOptions retention;

    @Option(names = {"-n", "--dry-run"}, description = "List every backup with keep or remove and the rule that decided; remove nothing.")
    boolean dryRun;

    @Option(names = "--save-policy", description = "Save the given rules as the repository's retention policy (then prune with them).")
    boolean savePolicy;

    @Option(names = "--subject", paramLabel = "NAME",
            description = "Judge only the backups of this subject (their subject label, else their database's name);"
                    + " the WAL of every backup that stays is kept.")
    String subject;

    @Option(names = "--keep-runs", paramLabel = "DURATION", defaultValue = "90d",
            description = "Delete the records of runs that started more than DURATION ago (default: ${DEFAULT-VALUE}).")
    String keepRuns;

    @Override
    public Integer call() {
        Duration runs;
        try {
            runs = DurationText.parse(keepRuns);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid --keep-runs '" + keepRuns + "': " + e.getMessage(), e);
        }
        if (runs.isZero()) {
            throw new UsageException("--keep-runs must be at least 1s: the run being recorded would go at once");
        }
        PruneRequest request = new PruneRequest(repository.url(), subject, retention.settings(), savePolicy, dryRun,
                runs);
        PruneResult result = Runs.record(root, RunRecord.Job.PRUNE, subject == null ? RunRecord.ALL_SUBJECTS : subject,
                ctx -> new PruneService(Clock.systemUTC()).run(request, ctx));
        if (result.savedPolicy() != null && !output.json()) {
            root.out.println("saved retention policy " + result.savedPolicy() + " in " + result.repository());
        }
        print(result);
        return 0;
    }

    private void print(PruneResult result) {
        if (output.json()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (PruneResult.Decision d : result.backups()) {
                rows.add(row(d.action(), d.backupId(), d.reasons()));
            }
            List<Map<String, Object>> wal = new ArrayList<>();
            for (PruneResult.WalExpiry e : result.wal()) {
                Map<String, Object> w = new LinkedHashMap<>();
                w.put("systemIdentifier", e.systemIdentifier());
                w.put("keepFrom", e.keepFrom());
                w.put("files", e.files());
                wal.add(w);
            }
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("dryRun", result.dryRun());
            j.put("backups", rows);
            j.put("wal", wal);
            j.put("runsRemoved", result.runsRemoved());
            Text.json(root.out, j);
            root.out.flush();
            return;
        }
        boolean dry = result.dryRun();
        Text.Table table = new Text.Table("ACTION", "ID", "START", "DATABASE", "STORED", "WHY");
        for (PruneResult.Decision d : result.backups()) {
            switch (d.kind()) {
                case BACKUP -> {
                    BackupManifest m = d.backup();
                    String name = PostgresSection.database(m) == null ? Sections.subjects(m)
                            : PostgresSection.database(m).name();
                    table.row(d.action(), m.backupId(), Text.time(m.startedAt()), name, Text.bytes(m.storedSize()),
                            String.join(", ", d.reasons()));
                }
                case INCOMPLETE -> table.row(d.action(), d.backupId(), "", "(incomplete)", "",
                        String.join(", ", d.reasons()));
                case UNREADABLE -> table.row(d.action(), d.backupId(), "", "(unreadable)", "",
                        "manifest cannot be read; check with 'arca verify'");
            }
        }
        table.print(root.out);
        root.out.println((dry ? "would remove " : "removed ") + result.removed() + " of " + result.backups().size()
                + " backups (" + Text.bytes(result.freedBytes()) + " stored)"
                + (dry ? "; nothing was changed (--dry-run)" : ""));
        for (PruneResult.WalExpiry e : result.wal()) {
            root.out.println((dry ? "would remove " : "removed ") + e.files() + " archived WAL files of"
                    + " system " + e.systemIdentifier() + " before " + e.keepFrom()
                    + ", where its oldest kept physical backup starts");
        }
        if (result.runsRemoved() > 0) {
            root.out.println("removed " + result.runsRemoved() + " run record" + (result.runsRemoved() == 1 ? "" : "s")
                    + " of runs started before " + Text.time(result.runsBefore()));
        }
        root.out.flush();
    }

    private static Map<String, Object> row(String action, String id, List<String> reasons) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("action", action);
        r.put("backupId", id);
        r.put("reasons", reasons);
        return r;
    }
}

package io.arca.cli;

import io.arca.app.repo.OpenRepository;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.error.UsageException;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.core.repo.retention.Retention;
import io.arca.core.repo.retention.RetentionPlan;
import io.arca.core.repo.retention.RetentionPolicy;
import io.arca.core.repo.retention.RetentionSettings;
import io.arca.core.storage.Storage;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalRetention;
import java.time.Clock;
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
                "Also removes what killed runs left: uncommitted writes in a local repository and arca temp directories."})
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

    @Override
    public Integer call() {
        Map<String, String> given = retention.settings();
        if (savePolicy && given.isEmpty()) {
            throw new UsageException("--save-policy needs retention flags (--keep-last, --keep-daily, ...)");
        }
        if (savePolicy && dryRun) {
            throw new UsageException("--save-policy changes the repository; run it without --dry-run");
        }
        if (dryRun) {
            try (Storage storage = repository.openStorage()) {
                Repository repo = repository.open(storage);
                return prune(repo, policy(repo, given), null);
            }
        }
        try (OpenRepository open = OpenRepository.open(repository.url(), LeaseMode.EXCLUSIVE, "prune")) {
            // what killed runs left on this host: unencrypted dump staging (the repository's own
            // uncommitted writes went with the lease's first write, see LocalFileStorage)
            io.arca.core.TempFiles.removeStaleDirectories(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
            Repository repo = open.repository();
            RetentionPolicy policy = policy(repo, given);
            if (savePolicy) {
                RepositoryConfig.Defaults defaults = repo.config().defaults() == null
                        ? new RepositoryConfig.Defaults(null) : repo.config().defaults();
                repo = repo.withDefaults(defaults.withRetention(given));
                if (!output.json()) {
                    root.out.println("saved retention policy " + given + " in " + open.storage().url());
                }
            }
            return prune(repo, policy, open);
        }
    }

    private static RetentionPolicy policy(Repository repo, Map<String, String> given) {
        Map<String, String> settings = given;
        if (settings.isEmpty() && repo.config().defaults() != null && repo.config().defaults().retention() != null) {
            settings = repo.config().defaults().retention();
            try {
                return requireRule(RetentionSettings.toPolicy(settings));
            } catch (IllegalArgumentException e) {
                // arca.json edited by hand, or saved by an Arca that accepted more
                throw new UsageException("the retention policy saved in the repository cannot be used: "
                        + e.getMessage(), "save a valid one with 'arca prune --save-policy --keep-...', or give the"
                        + " rules as flags", e);
            }
        }
        return requireRule(RetentionSettings.toPolicy(settings));
    }

    private static RetentionPolicy requireRule(RetentionPolicy policy) {
        if (policy.isEmpty()) {
            throw new UsageException("no retention rule: pass --keep-last, --keep-within, --keep-daily,"
                    + " --keep-weekly, --keep-monthly or --keep-yearly, or save a policy with --save-policy");
        }
        return policy;
    }

    private int prune(Repository repo, RetentionPolicy policy, OpenRepository leased) {
        Repository.Catalog catalog = repo.catalog();
        RetentionPlan plan = Retention.plan(catalog.backups(), catalog.incomplete(), policy, Clock.systemUTC().instant());
        List<Map<String, Object>> rows = new ArrayList<>();
        Text.Table table = new Text.Table("ACTION", "ID", "START", "DATABASE", "STORED", "WHY");
        for (RetentionPlan.Decision d : plan.decisions()) {
            BackupManifest m = d.backup();
            String action = d.keep() ? "keep" : (dryRun ? "remove" : "removed");
            if (!d.keep() && !dryRun) {
                leased.lease().ensureHeld();
                repo.remove(m.id());
            }
            String name = PostgresSection.database(m) == null ? Sections.subjects(m) : PostgresSection.database(m).name();
            table.row(action, m.backupId(), Text.time(m.startedAt()), name,
                    Text.bytes(m.storedSize()), String.join(", ", d.reasons()));
            rows.add(row(action, m.backupId(), d.reasons()));
        }
        for (RetentionPlan.IncompleteDecision d : plan.incomplete()) {
            String action = d.keep() ? "keep" : (dryRun ? "remove" : "removed");
            if (!d.keep() && !dryRun) {
                leased.lease().ensureHeld();
                repo.removeFolder(d.folder());
            }
            String id = d.folder().substring(d.folder().lastIndexOf('/') + 1);
            table.row(action, id, "", "(incomplete)", "", d.reason());
            rows.add(row(action, id, List.of(d.reason())));
        }
        for (String folder : catalog.unreadable()) {
            String id = folder.substring(folder.lastIndexOf('/') + 1);
            table.row("keep", id, "", "(unreadable)", "", "manifest cannot be read; check with 'arca verify'");
            rows.add(row("keep", id, List.of("manifest unreadable")));
        }
        long removed = rows.stream().filter(r -> !r.get("action").equals("keep")).count();
        // the WAL archive: what no kept physical backup needs any more
        WalArchive archive = new WalArchive(repo, repo.defaultCodec());
        // an unreadable manifest may be a physical backup whose WAL is not known: then no WAL is removed
        List<WalRetention.Expiry> expiries = catalog.unreadable().isEmpty()
                ? WalRetention.plan(archive, plan.toKeep()) : List.of();
        List<Map<String, Object>> wal = new ArrayList<>();
        for (WalRetention.Expiry e : expiries) {
            if (!dryRun) {
                for (WalArchive.Archived f : e.files()) {
                    leased.lease().ensureHeld();
                    archive.delete(f);
                }
            }
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("systemIdentifier", Long.toUnsignedString(e.systemId()));
            w.put("keepFrom", e.keepFrom().name());
            w.put("files", e.files().size());
            wal.add(w);
        }
        if (output.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("dryRun", dryRun);
            j.put("backups", rows);
            j.put("wal", wal);
            Text.json(root.out, j);
        } else {
            table.print(root.out);
            long freed = plan.toRemove().stream().mapToLong(BackupManifest::storedSize).sum();
            root.out.println((dryRun ? "would remove " : "removed ") + removed + " of " + rows.size() + " backups ("
                    + Text.bytes(freed) + " stored)" + (dryRun ? "; nothing was changed (--dry-run)" : ""));
            for (WalRetention.Expiry e : expiries) {
                root.out.println((dryRun ? "would remove " : "removed ") + e.files().size() + " archived WAL files of"
                        + " system " + Long.toUnsignedString(e.systemId()) + " before " + e.keepFrom().name()
                        + ", where its oldest kept physical backup starts");
            }
        }
        root.out.flush();
        return 0;
    }

    private static Map<String, Object> row(String action, String id, List<String> reasons) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("action", action);
        r.put("backupId", id);
        r.put("reasons", reasons);
        return r;
    }
}

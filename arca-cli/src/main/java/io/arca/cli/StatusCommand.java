package io.arca.cli;

import io.arca.core.error.UsageException;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.status.DatabaseStatus;
import io.arca.core.repo.status.RecoveryObjectives;
import io.arca.core.repo.status.RecoveryStatus;
import io.arca.core.storage.Storage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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

    @Option(names = "--database", paramLabel = "NAME",
            description = "Check only this database (even one without backups); with --save, save for it rather"
                    + " than for every database.")
    String database;

    @Option(names = "--save", description = "Save the given objectives in arca.json (for --database, else for every"
            + " database: '*'), print what was saved and what is checked from now on (defaults included), then"
            + " check with what is saved.")
    boolean save;

    @Override
    public Integer call() {
        RepositoryConfig.Objectives given = given();
        try (Storage storage = repository.openStorage()) {
            Repository repo = repository.open(storage);
            if (save) {
                repo = save(repo, given);
                // what later runs without flags will check
                given = NOTHING_GIVEN;
            }
            RepositoryConfig.Objectives flags = given;
            Map<String, RepositoryConfig.Objectives> saved = repo.config().defaults() == null ? null
                    : repo.config().defaults().objectives();
            List<BackupManifest> backups = repo.list();
            List<DrillRecord> drills = repo.drills();
            RecoveryStatus status = RecoveryStatus.of(databases(backups, drills, flags, saved), backups, drills,
                    db -> RecoveryObjectives.resolve(db, flags, saved), repo.clock().instant());
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
            throw new UsageException("--database needs a database name; leave it out for every database");
        }
        return new RepositoryConfig.Objectives(rpo, rto, drillWithin);
    }

    private static void check(String flag, String value) {
        if (value != null) {
            RecoveryObjectives.parse(flag, value);
        }
    }

    /** Merges the given objectives into the entry for the database (or {@code *}); what is not given stays. */
    private Repository save(Repository repo, RepositoryConfig.Objectives given) {
        String key = database == null ? RecoveryObjectives.EVERY_DATABASE : database;
        RepositoryConfig.Defaults defaults = repo.config().defaults() == null
                ? new RepositoryConfig.Defaults(null) : repo.config().defaults();
        Map<String, RepositoryConfig.Objectives> all = defaults.objectives() == null
                ? new HashMap<>() : new HashMap<>(defaults.objectives());
        RepositoryConfig.Objectives old = all.getOrDefault(key, NOTHING_GIVEN);
        RepositoryConfig.Objectives merged = new RepositoryConfig.Objectives(
                given.rpo() != null ? given.rpo() : old.rpo(),
                given.rto() != null ? given.rto() : old.rto(),
                given.drillWithin() != null ? given.drillWithin() : old.drillWithin());
        all.put(key, merged);
        // arca.json is replaced atomically; no lease, so that a check never waits for a backup or prune
        Repository updated = repo.withDefaults(defaults.withObjectives(all));
        if (!output.json()) {
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
            root.out.println("saved objectives for '" + key + "' in " + repo.storage().url() + ": "
                    + String.join(", ", entry));
            // what is not saved for the key comes from '*' or the defaults: say what a check without flags enforces
            root.out.println("checked from now on for " + (database == null ? "every database" : "'" + database + "'")
                    + ": " + RecoveryObjectives.describe(key, NOTHING_GIVEN,
                            updated.config().defaults().objectives()));
        }
        return updated;
    }

    /**
     * --database alone, else every database with a backup or a drill and every one named in saved
     * objectives; with none of these, {@link RecoveryStatus#ANY_DATABASE} when objectives are given
     * or saved (a repository without backups misses them), else nothing.
     */
    private Set<String> databases(List<BackupManifest> backups, List<DrillRecord> drills,
            RepositoryConfig.Objectives flags, Map<String, RepositoryConfig.Objectives> saved) {
        if (database != null) {
            return Set.of(database);
        }
        SortedSet<String> names = new TreeSet<>(RecoveryStatus.databasesOf(backups, drills));
        if (saved != null) {
            names.addAll(saved.keySet());
            names.remove(RecoveryObjectives.EVERY_DATABASE);
        }
        boolean objectivesSet = flags.rpo() != null || flags.rto() != null || flags.drillWithin() != null
                || saved != null && !saved.isEmpty();
        if (names.isEmpty() && objectivesSet) {
            names.add(RecoveryStatus.ANY_DATABASE);
        }
        return names;
    }

    private void print(RecoveryStatus status, Storage storage) {
        if (output.json()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (DatabaseStatus s : status.databases()) {
                rows.add(json(s, status.now()));
            }
            Text.json(root.out, rows);
            return;
        }
        if (status.databases().isEmpty()) {
            root.out.println("nothing to check: no backups or drills in " + storage.url()
                    + " (name a database with --database, or save objectives for it with --save --database)");
            root.out.flush();
            return;
        }
        Text.Table t = new Text.Table("DATABASE", "NEWEST BACKUP", "AGE", "RPO", "LAST DRILL", "MEASURED RTO", "RTO",
                "STATUS");
        for (DatabaseStatus s : status.databases()) {
            DrillRecord drill = s.lastDrill();
            t.row(s.database(), s.newestBackup() == null ? null : s.newestBackup().backupId(), readable(s.backupAge()),
                    readable(s.objectives().rpo()),
                    drill == null ? null : drill.verdict() + ", " + readable(ago(drill.startedAt(), status.now())) + " ago",
                    readable(s.measuredRto()), readable(s.objectives().rto()),
                    s.ok() ? "ok" : String.join("; ", s.problems()));
        }
        t.print(root.out);
    }

    private static Duration ago(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static String readable(Duration d) {
        return d == null ? null : RecoveryStatus.readable(d);
    }

    private static Map<String, Object> json(DatabaseStatus s, Instant now) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("database", s.database());
        r.put("ok", s.ok());
        r.put("problems", s.problems());
        BackupManifest backup = s.newestBackup();
        if (backup != null) {
            r.put("backupId", backup.backupId());
            r.put("backupStartedAt", backup.startedAt().toString());
            r.put("backupAgeSeconds", s.backupAge().toSeconds());
        }
        r.put("rpoSeconds", seconds(s.objectives().rpo()));
        r.put("rpoMet", s.rpoMet());
        DrillRecord drill = s.lastDrill();
        if (drill != null) {
            r.put("lastDrillId", drill.drillId());
            r.put("lastDrillStartedAt", drill.startedAt().toString());
            r.put("lastDrillAgeSeconds", ago(drill.startedAt(), now).toSeconds());
            r.put("lastDrillVerdict", drill.verdict());
            r.put("lastDrillFailure", drill.failure());
        }
        DrillRecord pass = s.lastPass();
        if (pass != null) {
            r.put("lastPassedDrillId", pass.drillId());
            r.put("lastPassedDrillStartedAt", pass.startedAt().toString());
        }
        r.put("measuredRtoMillis", s.measuredRto() == null ? null : s.measuredRto().toMillis());
        r.put("rtoSeconds", seconds(s.objectives().rto()));
        r.put("rtoMet", s.rtoMet());
        r.put("drillWithinSeconds", seconds(s.objectives().drillWithin()));
        r.put("drillWithinMet", s.drillWithinMet());
        return r;
    }

    private static Long seconds(Duration d) {
        return d == null ? null : d.toSeconds();
    }

    /** Names each database that misses an objective with its first problem; the hint says what helps. */
    private static ArcaException missed(RecoveryStatus status, Storage storage) {
        List<DatabaseStatus> missed = status.missed();
        String which = missed.stream().map(s -> RecoveryStatus.ANY_DATABASE.equals(s.database())
                ? s.problems().get(0) + " in " + storage.url()
                : "'" + s.database() + "': " + s.problems().get(0))
                .collect(Collectors.joining("; "));
        List<String> todo = new ArrayList<>();
        if (missed.stream().anyMatch(s -> !s.backupProblems().isEmpty())) {
            todo.add("take a backup with 'arca backup' and check that backups run on schedule");
        }
        if (missed.stream().anyMatch(s -> !s.drillProblems().isEmpty())) {
            todo.add("run 'arca drill' and fix what it reports");
        }
        return new ArcaException(ErrorCode.OBJECTIVES_MISSED, "recovery objectives missed: " + which,
                String.join("; ", todo) + "; the output above lists every problem");
    }
}

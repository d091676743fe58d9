package io.arca.app.status;

import io.arca.app.catalog.BackupCatalogService;
import io.arca.app.catalog.BackupSummary;
import io.arca.app.catalog.RecoveryWindow;
import io.arca.app.catalog.SubjectNames;
import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.repo.status.DatabaseStatus;
import io.arca.core.repo.status.RecoveryObjectives;
import io.arca.core.repo.status.RecoveryStatus;
import io.arca.postgres.manifest.PostgresSection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Judges a repository's subjects: {@link RecoveryStatus} on its manifests and drill records,
 * grouped by subject ({@link SubjectNames}), plus its run records: a backup, verify or drill whose
 * last run failed after its last success is a problem ({@code last backup failed at T: message})
 * until a later run succeeds. Reads only the repository: no key, no PostgreSQL.
 */
public final class StatusService {
    /** The jobs whose failed last run is a problem of their subject, and how a problem names them. */
    private static final Map<String, String> JUDGED_JOBS = jobs();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final BackupCatalogService catalog = new BackupCatalogService();

    public StatusService(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    private static Map<String, String> jobs() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(RunRecord.Job.BACKUP.jobName(), "backup");
        m.put(RunRecord.Job.PHYSICAL_BACKUP.jobName(), "physical backup");
        m.put(RunRecord.Job.VERIFY.jobName(), "verify");
        m.put(RunRecord.Job.DRILL.jobName(), "drill");
        return m;
    }

    /**
     * The status of {@code repo}'s subjects.
     *
     * @throws UsageException when an objective (given, configured or saved) is not a duration
     */
    public StatusReport status(Repository repo, StatusQuery query) {
        return status(repo, query, new Inputs(repo.list(), repo.drills(), repo.runs().latest()));
    }

    /**
     * What status judges, read from a repository by a caller that needs it too (metrics), so that
     * it is read once.
     *
     * @param backups the complete backups ({@link Repository#list()})
     * @param drills the drill records ({@link Repository#drills()})
     * @param latest the last runs per job and subject ({@link RunLog#latest()})
     */
    public record Inputs(List<BackupManifest> backups, List<DrillRecord> drills, Map<RunLog.Key, RunLog.Latest> latest) {
    }

    /** {@link #status(Repository, StatusQuery)} on what was already read from {@code repo}. */
    public StatusReport status(Repository repo, StatusQuery query, Inputs inputs) {
        Instant now = clock.instant();
        Map<String, RepositoryConfig.Objectives> saved = repo.config().defaults() == null ? null
                : repo.config().defaults().objectives();
        Map<String, RepositoryConfig.Objectives> configured = configured(query);
        List<BackupManifest> backups = inputs.backups();
        List<DrillRecord> drills = inputs.drills();
        Map<RunLog.Key, RunLog.Latest> latest = inputs.latest();
        RecoveryStatus.Grouping grouping = SubjectNames.grouping(backups);

        SortedSet<String> names = new TreeSet<>();
        if (query.subject() != null) {
            names.add(query.subject());
        } else {
            names.addAll(RecoveryStatus.databasesOf(backups, drills, grouping));
            if (saved != null) {
                names.addAll(saved.keySet());
            }
            names.addAll(configured.keySet());
            latest.forEach((k, l) -> {
                if (JUDGED_JOBS.containsKey(k.job()) && failedLast(l)) {
                    names.add(k.subject());
                }
            });
            names.remove(RecoveryObjectives.EVERY_DATABASE);
            boolean objectivesSet = query.anyGiven() || saved != null && !saved.isEmpty() || !configured.isEmpty();
            if (names.isEmpty() && objectivesSet) {
                names.add(RecoveryStatus.ANY_DATABASE);
            }
        }
        RecoveryStatus judged = RecoveryStatus.of(names, backups, drills,
                name -> RecoveryObjectives.resolve(name, given(query.given(), configured.get(name)), saved), now,
                grouping);
        List<RecoveryWindow> windows = catalog.windows(repo, backups);
        List<SubjectStatus> subjects = new ArrayList<>();
        for (DatabaseStatus d : judged.databases()) {
            subjects.add(subject(d, backups, windows, latest, now));
        }
        List<String> problems = new ArrayList<>();
        latest.forEach((k, l) -> {
            if (RunRecord.ALL_SUBJECTS.equals(k.subject()) && JUDGED_JOBS.containsKey(k.job()) && failedLast(l)) {
                problems.add(runProblem(JUDGED_JOBS.get(k.job()) + " of every backup", l.lastFailure()));
            }
        });
        return new StatusReport(now, repo.storage().url().toString(), subjects, problems);
    }

    /**
     * Merges {@code given} into the saved objectives of {@code subject} (null: of every subject,
     * {@code *}); what is not given stays. Returns the repository with the new {@code arca.json}.
     * Takes no lease: {@code arca.json} is replaced atomically, and a check must never wait for a
     * backup or a prune.
     */
    public Repository saveObjectives(Repository repo, String subject, RepositoryConfig.Objectives given) {
        String key = subject == null ? RecoveryObjectives.EVERY_DATABASE : subject;
        RepositoryConfig.Defaults defaults = repo.config().defaults() == null
                ? new RepositoryConfig.Defaults(null) : repo.config().defaults();
        Map<String, RepositoryConfig.Objectives> all = defaults.objectives() == null
                ? new HashMap<>() : new HashMap<>(defaults.objectives());
        RepositoryConfig.Objectives old = all.getOrDefault(key, new RepositoryConfig.Objectives(null, null, null));
        all.put(key, new RepositoryConfig.Objectives(
                given.rpo() != null ? given.rpo() : old.rpo(),
                given.rto() != null ? given.rto() : old.rto(),
                given.drillWithin() != null ? given.drillWithin() : old.drillWithin()));
        return repo.withDefaults(defaults.withObjectives(all));
    }

    /**
     * The RTO a drill of {@code subject} is measured against, as status judges it: {@code rto}
     * given, else the configured subject's, else the one saved for it, else for every subject; null
     * when none is set.
     */
    public static Duration rtoTarget(Repository repo, String subject, String rto, ArcaConfig.Objectives configured) {
        Map<String, RepositoryConfig.Objectives> saved = repo.config().defaults() == null ? null
                : repo.config().defaults().objectives();
        RepositoryConfig.Objectives fromConfig = configured == null ? null
                : new RepositoryConfig.Objectives(configured.rpo(), configured.rto(), configured.drillWithin());
        return RecoveryObjectives.resolve(subject == null ? "" : subject,
                given(new RepositoryConfig.Objectives(null, rto, null), fromConfig), saved).rto();
    }

    private SubjectStatus subject(DatabaseStatus d, List<BackupManifest> backups, List<RecoveryWindow> windows,
            Map<RunLog.Key, RunLog.Latest> latest, Instant now) {
        Map<String, RunLog.Latest> runs = new LinkedHashMap<>();
        List<String> runProblems = new ArrayList<>();
        latest.entrySet().stream().filter(e -> e.getKey().subject().equals(d.database()))
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(RunLog.Key::job)))
                .forEach(e -> {
                    runs.put(e.getKey().job(), e.getValue());
                    String job = JUDGED_JOBS.get(e.getKey().job());
                    if (job != null && failedLast(e.getValue()) && !reportedAsDrill(e.getValue().lastFailure(), d)) {
                        runProblems.add(runProblem(job, e.getValue().lastFailure()));
                    }
                });
        DrillRecord lastDrill = d.lastDrill();
        Duration lastDrillAge = lastDrill == null ? null : nonNegative(Duration.between(lastDrill.startedAt(), now));
        return new SubjectStatus(d.database(), d.objectives(),
                d.newestBackup() == null ? null : BackupSummary.of(d.newestBackup()), d.backupAge(), d.rpoMet(),
                recoverable(d.database(), backups, windows), lastDrill, lastDrillAge, d.lastPass(), d.measuredRto(),
                d.rtoMet(), d.drillWithinMet(), runs, d.backupProblems(), d.drillProblems(), runProblems);
    }

    /** A failed drill run whose drill record is the subject's failed last drill: that problem is already told. */
    private static boolean reportedAsDrill(RunRecord run, DatabaseStatus d) {
        DrillRecord last = d.lastDrill();
        if (last == null || last.passed()) {
            return false;
        }
        String drillId = run.details().get("drillId");
        // a record without the drill's id: the drill that started while the run ran
        return drillId != null ? drillId.equals(last.drillId())
                : !last.startedAt().isBefore(run.startedAt()) && !last.startedAt().isAfter(run.finishedAt());
    }

    /** Whether the last failure came after the last success (or there was none). */
    static boolean failedLast(RunLog.Latest l) {
        RunRecord failure = l.lastFailure();
        RunRecord success = l.lastSuccess();
        return failure != null && (success == null || failure.finishedAt().isAfter(success.finishedAt())
                || failure.finishedAt().equals(success.finishedAt()) && failure.runId().compareTo(success.runId()) > 0);
    }

    private static String runProblem(String job, RunRecord failure) {
        String what = RunRecord.PARTIAL.equals(failure.outcome()) ? " partly failed at " : " failed at ";
        return "last " + job + what + TIME.format(failure.finishedAt())
                + (failure.message() == null ? "" : ": " + failure.message());
    }

    /** From the oldest full backup's restorable point to the newest one's, or the WAL's end after it. */
    private static Recoverable recoverable(String subject, List<BackupManifest> backups, List<RecoveryWindow> windows) {
        Instant oldest = null;
        Instant newest = null;
        boolean wal = false;
        for (BackupManifest m : backups) {
            if (!m.full() || m.safety() || !SubjectNames.holds(m, subject)) {
                continue;
            }
            Instant point = pointOf(m);
            oldest = oldest == null || point.isBefore(oldest) ? point : oldest;
            newest = newest == null || point.isAfter(newest) ? point : newest;
            for (RecoveryWindow w : windows) {
                if (w.backupId().equals(m.backupId()) && w.to().isAfter(newest)) {
                    newest = w.to();
                    wal = true;
                }
            }
        }
        if (wal) {
            // a later backup's own point may still be newer than an earlier window's end
            Instant finalNewest = newest;
            wal = windows.stream().anyMatch(w -> w.to().equals(finalNewest));
        }
        return oldest == null ? null : new Recoverable(oldest, newest, wal);
    }

    /** The point a backup restores to: a physical backup's end (where it is consistent), else its start. */
    private static Instant pointOf(BackupManifest m) {
        PostgresSection.PhysicalInfo p = PostgresSection.physical(m);
        return p != null && p.stopTime() != null ? p.stopTime() : m.startedAt();
    }

    /** Objectives from arca.yaml's subjects, by name (those that back up to the queried repository). */
    private static Map<String, RepositoryConfig.Objectives> configured(StatusQuery query) {
        Map<String, RepositoryConfig.Objectives> out = new LinkedHashMap<>();
        if (query.config() == null || query.config().subjects() == null) {
            return out;
        }
        query.config().subjects().forEach((name, entry) -> {
            if (query.repository() != null && (entry.repositories() == null
                    || !entry.repositories().contains(query.repository()))) {
                return;
            }
            ArcaConfig.Objectives o = entry.objectives();
            RepositoryConfig.Objectives objectives = o == null ? new RepositoryConfig.Objectives(null, null, null)
                    : new RepositoryConfig.Objectives(o.rpo(), o.rto(), o.drillWithin());
            check("subject '" + name + "' in arca.yaml: rpo", objectives.rpo());
            check("subject '" + name + "' in arca.yaml: rto", objectives.rto());
            check("subject '" + name + "' in arca.yaml: drill-within", objectives.drillWithin());
            out.put(name, objectives);
        });
        return out;
    }

    private static void check(String name, String value) {
        if (value != null) {
            RecoveryObjectives.parse(name, value);
        }
    }

    /** Each objective given, else configured. */
    private static RepositoryConfig.Objectives given(RepositoryConfig.Objectives given,
            RepositoryConfig.Objectives configured) {
        if (configured == null) {
            return given;
        }
        return new RepositoryConfig.Objectives(given.rpo() != null ? given.rpo() : configured.rpo(),
                given.rto() != null ? given.rto() : configured.rto(),
                given.drillWithin() != null ? given.drillWithin() : configured.drillWithin());
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}

package io.arca.server.http;

import io.arca.app.config.ArcaConfig;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.repo.status.RecoveryObjectives;
import io.arca.core.repo.status.RecoveryStatus;
import io.arca.postgres.manifest.PostgresSection;
import io.arca.postgres.wal.WalCoverage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * What the API reads: the repositories and subjects of {@code arca.yaml}. Backups, drills and runs
 * of every repository; a subject's status from the repositories it names.
 */
final class ApiData implements AutoCloseable {
    private final ArcaConfig config;
    private final Clock clock;
    private final Map<String, RepositoryView> repositories = new LinkedHashMap<>();

    ApiData(ArcaConfig config, Clock clock, Duration refreshInterval, Executor background) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = clock;
        if (config.repositories() != null) {
            config.repositories().forEach((name, entry) -> repositories.put(name,
                    new RepositoryView(name, entry.url(), clock, refreshInterval, background)));
        }
    }

    Clock clock() {
        return clock;
    }

    Map<String, ArcaConfig.SubjectEntry> subjects() {
        return config.subjects() == null ? Map.of() : config.subjects();
    }

    Set<String> repositoryNames() {
        return repositories.keySet();
    }

    /** Why the repositories cannot be read, one line each; empty when all can. */
    List<String> unreadable() {
        List<String> reasons = new ArrayList<>();
        if (repositories.isEmpty()) {
            reasons.add("arca.yaml names no repository");
        }
        repositories.forEach((name, view) -> {
            try {
                view.checkReadable();
            } catch (RuntimeException e) {
                reasons.add("repository '" + name + "' cannot be read: " + firstLine(e));
            }
        });
        return reasons;
    }

    /** A backup with the repository that holds it. */
    record Located(String repository, BackupManifest manifest) {
    }

    /** Every backup, newest first, optionally of one subject. */
    List<Located> backups(String subject) {
        List<Located> all = new ArrayList<>();
        repositories.forEach((name, view) -> {
            for (BackupManifest m : view.backups()) {
                if (subject == null || subject.equals(Views.subjectOf(m))) {
                    all.add(new Located(name, m));
                }
            }
        });
        all.sort(Comparator.comparing((Located l) -> l.manifest().startedAt())
                .thenComparing(l -> l.manifest().backupId()).reversed());
        return all;
    }

    /** The repositories holding backup {@code id}, in the order of arca.yaml, with its manifest from the first. */
    List<Located> backup(String id) {
        List<Located> found = new ArrayList<>();
        repositories.forEach((name, view) -> {
            BackupManifest m = view.backup(id);
            if (m != null) {
                found.add(new Located(name, m));
            }
        });
        return found;
    }

    /** A drill with the repository it was recorded in and the subject of the backup it restored. */
    record LocatedDrill(String repository, String subject, DrillRecord drill) {
    }

    List<LocatedDrill> drills(String subject) {
        Map<String, String> subjectOfBackup = new java.util.HashMap<>();
        for (Located l : backups(null)) {
            subjectOfBackup.putIfAbsent(l.manifest().backupId(), Views.subjectOf(l.manifest()));
        }
        List<LocatedDrill> all = new ArrayList<>();
        repositories.forEach((name, view) -> {
            for (DrillRecord d : view.drills()) {
                String s = subjectOfBackup.getOrDefault(d.backupId(), d.database());
                if (subject == null || subject.equals(s)) {
                    all.add(new LocatedDrill(name, s, d));
                }
            }
        });
        all.sort(Comparator.comparing((LocatedDrill d) -> d.drill().startedAt())
                .thenComparing(d -> d.drill().drillId()).reversed());
        return all;
    }

    /** A run record with the repositories it was written to (a run records in each repository it used). */
    record LocatedRun(RunRecord record, List<String> repositories) {
    }

    /** Run records that started at or after {@code since}, newest first, each once. */
    List<LocatedRun> runs(Instant since) {
        Map<String, RunRecord> byId = new LinkedHashMap<>();
        Map<String, List<String>> where = new LinkedHashMap<>();
        repositories.forEach((name, view) -> {
            for (RunRecord r : view.repository().runs().list(since)) {
                byId.putIfAbsent(r.runId(), r);
                where.computeIfAbsent(r.runId(), k -> new ArrayList<>()).add(name);
            }
        });
        List<LocatedRun> all = new ArrayList<>();
        byId.forEach((id, r) -> all.add(new LocatedRun(r, where.get(id))));
        all.sort(Comparator.comparing((LocatedRun l) -> l.record().startedAt())
                .thenComparing(l -> l.record().runId()).reversed());
        return all;
    }

    /** The record of run {@code id}, or null. */
    LocatedRun run(String id) {
        RunRecord found = null;
        List<String> where = new ArrayList<>();
        for (Map.Entry<String, RepositoryView> e : repositories.entrySet()) {
            var r = e.getValue().repository().runs().find(id);
            if (r.isPresent()) {
                found = found == null ? r.get() : found;
                where.add(e.getKey());
            }
        }
        return found == null ? null : new LocatedRun(found, where);
    }

    /**
     * Each subject of arca.yaml against its objectives, judged as {@link RecoveryStatus} judges a
     * database (the same rules and wording) over the subject's backups: those with its
     * {@code subject} label, or of a database of its name, in the repositories it names.
     */
    Views.StatusView status() {
        Instant now = clock.instant();
        List<Views.SubjectStatus> out = new ArrayList<>();
        List<LocatedDrill> allDrills = drills(null);
        for (Map.Entry<String, ArcaConfig.SubjectEntry> e : subjects().entrySet()) {
            out.add(judge(e.getKey(), e.getValue(), allDrills, now));
        }
        return new Views.StatusView(now, out.stream().allMatch(Views.SubjectStatus::ok), out);
    }

    private Views.SubjectStatus judge(String subject, ArcaConfig.SubjectEntry entry, List<LocatedDrill> allDrills,
            Instant now) {
        List<String> repos = new ArrayList<>();
        if (entry != null && entry.repositories() != null && !entry.repositories().isEmpty()) {
            entry.repositories().stream().filter(repositories::containsKey).forEach(repos::add);
        } else {
            repos.addAll(repositories.keySet());
        }
        ArcaConfig.Objectives o = entry == null ? null : entry.objectives();
        Duration rpo = o == null || o.rpo() == null ? null : RecoveryObjectives.parse("rpo", o.rpo());
        Duration rto = o == null || o.rto() == null ? null : RecoveryObjectives.parse("rto", o.rto());
        Duration drillWithin = o == null || o.drillWithin() == null ? RecoveryObjectives.DEFAULT_DRILL_WITHIN
                : RecoveryObjectives.parse("drill-within", o.drillWithin());

        List<Located> counted = new ArrayList<>();
        for (String repo : repos) {
            for (BackupManifest m : repositories.get(repo).backups()) {
                if (subject.equals(Views.subjectOf(m)) && !m.safety() && m.full()) {
                    counted.add(new Located(repo, m));
                }
            }
        }
        counted.sort(Comparator.comparing((Located l) -> l.manifest().startedAt())
                .thenComparing(l -> l.manifest().backupId()).reversed());
        Located newest = counted.isEmpty() ? null : counted.get(0);

        List<String> problems = new ArrayList<>();
        Duration age = newest == null ? null : nonNegative(Duration.between(newest.manifest().startedAt(), now));
        Boolean rpoMet = rpo == null ? null : age != null && age.compareTo(rpo) <= 0;
        if (newest == null) {
            problems.add("no backup");
        } else if (Boolean.FALSE.equals(rpoMet)) {
            problems.add("newest backup is " + RecoveryStatus.readable(age) + " old, RPO is "
                    + RecoveryStatus.readable(rpo));
        }

        Map<String, Views.LastRuns> lastRuns = lastRuns(subject, repos);
        for (String job : List.of("backup", "physical-backup")) {
            Views.LastRuns runs = lastRuns.get(job);
            if (runs != null && runs.last() != null && !RunRecord.SUCCEEDED.equals(runs.last().state())) {
                problems.add("last " + job + " run " + runs.last().id() + " " + runs.last().state()
                        + (runs.last().message() == null ? "" : ": " + runs.last().message()));
            }
        }

        List<DrillRecord> drills = allDrills.stream().filter(d -> subject.equals(d.subject()) && repos.contains(d.repository()))
                .map(LocatedDrill::drill).toList();
        DrillRecord lastDrill = drills.isEmpty() ? null : drills.get(0);
        DrillRecord lastPass = drills.stream().filter(DrillRecord::passed).findFirst().orElse(null);
        if (lastDrill != null && !lastDrill.passed()) {
            problems.add("last drill " + lastDrill.drillId() + " failed"
                    + (lastDrill.failure() == null ? "" : ": " + lastDrill.failure()));
        }
        Boolean drillWithinMet = drillWithin == null ? null
                : lastPass != null && !lastPass.startedAt().isBefore(now.minus(drillWithin));
        Long measured = lastPass == null ? null : lastPass.rtoMillis();
        Boolean rtoMet = null;
        if (rto != null && measured != null) {
            rtoMet = Duration.ofMillis(measured).compareTo(rto) <= 0;
            if (!rtoMet) {
                problems.add("measured RTO " + RecoveryStatus.readable(Duration.ofMillis(measured))
                        + " exceeds the RTO of " + RecoveryStatus.readable(rto) + " (drill " + lastPass.drillId() + ")");
            }
        } else if (rto != null && (lastPass != null || drillWithinMet == null)) {
            problems.add("RTO of " + RecoveryStatus.readable(rto)
                    + " not proven: no passing drill measured the recovery time");
        }
        if (Boolean.FALSE.equals(drillWithinMet)) {
            problems.add("no drill passed in the last " + RecoveryStatus.readable(drillWithin));
        }

        return new Views.SubjectStatus(subject, repos,
                new Views.Objectives(text(o == null ? null : o.rpo()), seconds(rpo), text(o == null ? null : o.rto()),
                        seconds(rto), drillWithin == null ? null : RecoveryStatus.readable(drillWithin),
                        seconds(drillWithin)),
                newest == null ? null : new Views.BackupRef(newest.manifest().backupId(), newest.repository(),
                        newest.manifest().startedAt(), newest.manifest().finishedAt(), newest.manifest().size(),
                        newest.manifest().storedSize()),
                age == null ? null : age.getSeconds(), rpoMet, window(counted), drillRef(lastDrill), measured, rtoMet,
                drillWithinMet, lastRuns, problems, problems.isEmpty());
    }

    /** Per job: the last run, success and failure of {@code subject} over its repositories. */
    private Map<String, Views.LastRuns> lastRuns(String subject, List<String> repos) {
        Map<String, RunLog.Latest> byJob = new TreeMap<>();
        for (String repo : repos) {
            repositories.get(repo).repository().runs().latest().forEach((key, latest) -> {
                if (subject.equals(key.subject())) {
                    byJob.merge(key.job(), latest, ApiData::newer);
                }
            });
        }
        Map<String, Views.LastRuns> out = new LinkedHashMap<>();
        byJob.forEach((job, l) -> out.put(job, new Views.LastRuns(view(l.last()), view(l.lastSuccess()),
                view(l.lastFailure()))));
        return out;
    }

    private static RunLog.Latest newer(RunLog.Latest a, RunLog.Latest b) {
        return new RunLog.Latest(newer(a.last(), b.last()), newer(a.lastSuccess(), b.lastSuccess()),
                newer(a.lastFailure(), b.lastFailure()));
    }

    private static RunRecord newer(RunRecord a, RunRecord b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.finishedAt().isBefore(b.finishedAt()) ? b : a;
    }

    private static Views.RunView view(RunRecord r) {
        return r == null ? null : Views.RunView.of(r, null);
    }

    /**
     * From the end of the oldest counted backup to the end of the newest, or further when a physical
     * backup's archived WAL reaches later (point-in-time recovery).
     */
    private Views.Window window(List<Located> counted) {
        if (counted.isEmpty()) {
            return null;
        }
        Instant from = counted.get(counted.size() - 1).manifest().finishedAt();
        Instant to = counted.get(0).manifest().finishedAt();
        boolean wal = false;
        Map<String, Set<String>> systemsByRepo = new LinkedHashMap<>();
        Map<String, Long> segmentSizes = new LinkedHashMap<>();
        for (Located l : counted) {
            PostgresSection.PhysicalInfo p = physical(l.manifest());
            if (p != null) {
                systemsByRepo.computeIfAbsent(l.repository(), k -> new LinkedHashSet<>()).add(p.systemIdentifier());
                segmentSizes.putIfAbsent(p.systemIdentifier(), p.walSegmentSize());
            }
        }
        for (Map.Entry<String, Set<String>> e : systemsByRepo.entrySet()) {
            RepositoryView view = repositories.get(e.getKey());
            List<BackupManifest> ofRepo = counted.stream().filter(l -> l.repository().equals(e.getKey()))
                    .map(Located::manifest).toList();
            for (String system : e.getValue()) {
                for (WalCoverage.Window w : WalCoverage.scan(view.repository().storage(),
                        Long.parseUnsignedLong(system), segmentSizes.get(system)).windows(ofRepo)) {
                    if (w.to() != null && w.to().isAfter(to)) {
                        to = w.to();
                        wal = true;
                    }
                }
            }
        }
        return new Views.Window(from, to, wal);
    }

    private static PostgresSection.PhysicalInfo physical(BackupManifest m) {
        try {
            return PostgresSection.physical(m);
        } catch (RuntimeException e) {
            return null; // details this Arca cannot read: no WAL window from it
        }
    }

    private static Views.DrillRef drillRef(DrillRecord d) {
        return d == null ? null : new Views.DrillRef(d.drillId(), d.backupId(), d.startedAt(), d.finishedAt(),
                d.verdict(), d.failure(), d.rtoMillis());
    }

    private static String text(String objective) {
        return objective == null || RecoveryObjectives.NONE.equals(objective) ? null : objective;
    }

    private static Long seconds(Duration d) {
        return d == null ? null : d.getSeconds();
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    @Override
    public void close() {
        repositories.values().forEach(RepositoryView::close);
    }
}

package io.arca.server.http;

import io.arca.app.catalog.BackupCatalogService;
import io.arca.app.catalog.BackupDetail;
import io.arca.app.catalog.SubjectNames;
import io.arca.app.config.ArcaConfig;
import io.arca.app.status.StatusQuery;
import io.arca.app.status.StatusReport;
import io.arca.app.status.StatusService;
import io.arca.app.status.SubjectStatus;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.repo.status.RecoveryStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the API reads: the repositories and subjects of {@code arca.yaml}. Backups, drills and runs
 * of every repository; each subject's status from the first repository arca.yaml names for it.
 */
final class ApiData implements AutoCloseable {
    private final ArcaConfig config;
    private final Clock clock;
    private final StatusService status;
    private final BackupCatalogService catalog = new BackupCatalogService();
    private final Map<String, RepositoryView> repositories = new LinkedHashMap<>();
    private final Duration refreshInterval;
    private final Executor background;
    private final Object statusLock = new Object();
    private final AtomicBoolean statusRefreshing = new AtomicBoolean();
    private volatile Judged judged;

    /** A status and when it was made (by the monotonic clock: ages, not instants). */
    private record Judged(long madeAtNanos, Views.Status status) {
    }

    ApiData(ArcaConfig config, Clock clock, Duration refreshInterval, Executor background) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = clock;
        this.refreshInterval = refreshInterval;
        this.background = background;
        this.status = new StatusService(clock);
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
    record Located(String repository, RepositoryView.Entry backup) {
    }

    /** Every backup, newest first, optionally only those that count for {@code subject}. */
    List<Located> backups(String subject) {
        List<Located> all = new ArrayList<>();
        repositories.forEach((name, view) -> {
            for (RepositoryView.Entry e : view.backups()) {
                if (subject == null || SubjectNames.holds(e.manifest(), subject)) {
                    all.add(new Located(name, e));
                }
            }
        });
        if (repositories.size() > 1) {
            all.sort(Comparator.comparing((Located l) -> l.backup().manifest().startedAt())
                    .thenComparing(l -> l.backup().manifest().backupId()).reversed());
        }
        return all;
    }

    /** Backup {@code id} as {@code arca show} shows it, from the first repository of arca.yaml holding it. */
    record Shown(BackupDetail detail, List<String> repositories) {
    }

    /** Backup {@code id}, or null when no repository holds it. */
    Shown backup(String id) {
        List<String> holding = new ArrayList<>();
        BackupDetail detail = null;
        for (Map.Entry<String, RepositoryView> e : repositories.entrySet()) {
            if (e.getValue().backup(id) != null) {
                holding.add(e.getKey());
                if (detail == null) {
                    detail = catalog.show(e.getValue().repository(), id);
                }
            }
        }
        return detail == null ? null : new Shown(detail, holding);
    }

    /** A drill with the repository it was recorded in and the subject status counts it for. */
    record LocatedDrill(String repository, String subject, DrillRecord drill) {
    }

    List<LocatedDrill> drills(String subject) {
        List<LocatedDrill> all = new ArrayList<>();
        repositories.forEach((name, view) -> {
            List<BackupManifest> backups = view.backups().stream().map(RepositoryView.Entry::manifest).toList();
            RecoveryStatus.Grouping grouping = SubjectNames.grouping(backups);
            for (DrillRecord d : view.drills()) {
                String s = grouping.nameOf(d);
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
     * Every subject, judged by {@link StatusService} as {@code arca status --config} judges it: in
     * each repository, the subjects arca.yaml backs up to it and those its backups and records name.
     * A subject of arca.yaml is shown as judged in its first repository; any other as judged in the
     * first repository that names it. Subjects of arca.yaml come first, in its order.
     */
    Views.Status status() {
        if (refreshInterval.isZero()) {
            return judge();
        }
        // judging reads every manifest, drill and summary: one status serves all the requests of a
        // refresh interval; a status up to twelve intervals old is served while a new one is made
        Judged j = judged;
        long age = j == null ? Long.MAX_VALUE : System.nanoTime() - j.madeAtNanos();
        if (age < refreshInterval.toNanos()) {
            return j.status();
        }
        if (age < refreshInterval.toNanos() * 12) {
            if (statusRefreshing.compareAndSet(false, true)) {
                background.execute(() -> {
                    try {
                        rejudge();
                    } catch (RuntimeException e) {
                        // the next request tries again
                    } finally {
                        statusRefreshing.set(false);
                    }
                });
            }
            return j.status();
        }
        synchronized (statusLock) {
            Judged now = judged;
            if (now != null && now != j && System.nanoTime() - now.madeAtNanos() < refreshInterval.toNanos()) {
                return now.status(); // made while this request waited
            }
            return rejudge();
        }
    }

    private Views.Status rejudge() {
        long start = System.nanoTime();
        Views.Status s = judge();
        judged = new Judged(start, s);
        return s;
    }

    private Views.Status judge() {
        Map<String, Views.Subject> bySubject = new LinkedHashMap<>();
        Map<String, Views.Subject> others = new TreeMap<>();
        subjects().keySet().forEach(name -> bySubject.put(name, null));
        List<String> problems = new ArrayList<>();
        Instant now = clock.instant();
        for (Map.Entry<String, RepositoryView> e : repositories.entrySet()) {
            StatusReport report = status.status(e.getValue().repository(), StatusQuery.configured(config, e.getKey()));
            now = report.now();
            report.problems().forEach(p -> problems.add("repository '" + e.getKey() + "': " + p));
            for (SubjectStatus s : report.subjects()) {
                Views.Subject v = new Views.Subject(e.getKey(), s);
                if (bySubject.containsKey(s.subject())) {
                    if (e.getKey().equals(primary(s.subject())) || bySubject.get(s.subject()) == null) {
                        bySubject.put(s.subject(), v);
                    }
                } else {
                    others.putIfAbsent(s.subject(), v);
                }
            }
        }
        List<Views.Subject> out = new ArrayList<>();
        bySubject.values().stream().filter(Objects::nonNull).forEach(out::add);
        out.addAll(others.values());
        boolean ok = problems.isEmpty() && out.stream().allMatch(v -> v.status().ok());
        return new Views.Status(now, ok, out, problems);
    }

    /** The first repository arca.yaml names for {@code subject}, or null. */
    private String primary(String subject) {
        ArcaConfig.SubjectEntry entry = subjects().get(subject);
        return entry == null || entry.repositories() == null || entry.repositories().isEmpty() ? null
                : entry.repositories().get(0);
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** Reads each repository's catalog ahead of the first request. */
    void warm() {
        repositories.values().forEach(RepositoryView::warm);
    }

    @Override
    public void close() {
        repositories.values().forEach(RepositoryView::close);
    }
}

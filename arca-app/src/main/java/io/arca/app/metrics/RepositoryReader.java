package io.arca.app.metrics;

import io.arca.app.job.Failures;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.repo.status.RecoveryObjectives;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.manifest.PostgresSection;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.wal.WalCoverage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads one repository into {@link RepositoryFacts}. It keeps its store open between refreshes
 * (reopened after a failure) and the {@link RunTally} of its run records, so that a refresh reads
 * only what is new. Reads only: no lease, no key.
 */
final class RepositoryReader implements AutoCloseable {
    /** The jobs whose subjects have backups and drills to report (a prune's subject may be {@code *}). */
    private static final Set<String> SUBJECT_JOBS = Set.of(RunRecord.Job.BACKUP.jobName(),
            RunRecord.Job.PHYSICAL_BACKUP.jobName(), RunRecord.Job.VERIFY.jobName(), RunRecord.Job.DRILL.jobName());

    private final MetricsTarget target;
    private final Clock clock;
    private final Function<StorageUrl, Storage> opener;
    private final RunTally tally = new RunTally();
    private Storage storage;

    RepositoryReader(MetricsTarget target, Clock clock, Function<StorageUrl, Storage> opener) {
        this.target = target;
        this.clock = clock;
        this.opener = opener;
    }

    MetricsTarget target() {
        return target;
    }

    /** Reads the repository; a failure is a fact too (the scrape error metric), never thrown. */
    synchronized RepositoryFacts read() {
        Instant readAt = clock.instant();
        long started = System.nanoTime();
        try {
            if (storage == null) {
                storage = opener.apply(target.url());
            }
            return read(storage, readAt, started);
        } catch (RuntimeException e) {
            closeStorage();
            String message = Failures.of(e).getMessage();
            return RepositoryFacts.failed(target.name(), readAt, Duration.ofNanos(System.nanoTime() - started),
                    message == null ? e.toString() : message.lines().findFirst().orElse(""));
        }
    }

    private RepositoryFacts read(Storage storage, Instant readAt, long started) {
        Repository repo = Repository.open(storage, clock);
        List<ObjectInfo> objects = storage.list("");
        Repository.Catalog catalog = repo.catalog();
        List<BackupManifest> backups = catalog.backups();
        List<DrillRecord> drills = repo.drills();
        Map<RunLog.Key, RunLog.Latest> latest = repo.runs().latest();
        List<RepositoryFacts.RunCount> runs = tally.update(storage, objects);

        Map<String, BackupManifest> byId = new HashMap<>();
        backups.forEach(b -> byId.put(b.backupId(), b));
        Map<String, RepositoryConfig.Objectives> saved = repo.config().defaults() == null ? null
                : repo.config().defaults().objectives();

        SortedSet<String> subjects = new TreeSet<>(target.subjects().keySet());
        backups.forEach(b -> subjects.addAll(SubjectNames.of(b)));
        for (DrillRecord d : drills) {
            String s = SubjectNames.of(d, byId);
            if (s != null) {
                subjects.add(s);
            }
        }
        if (saved != null) {
            subjects.addAll(saved.keySet());
        }
        latest.keySet().stream().filter(k -> SUBJECT_JOBS.contains(k.job())).forEach(k -> subjects.add(k.subject()));
        subjects.remove(RecoveryObjectives.EVERY_DATABASE);
        subjects.remove(RunRecord.ALL_SUBJECTS);

        List<RepositoryFacts.Job> jobs = new ArrayList<>();
        latest.forEach((k, l) -> jobs.add(new RepositoryFacts.Job(k.subject(), k.job(), l.last(), l.lastSuccess(),
                l.lastFailure())));

        Wal wal = wal(storage, backups);
        List<RepositoryFacts.SubjectFacts> facts = new ArrayList<>();
        for (String subject : subjects) {
            RecoveryObjectives objectives = RecoveryObjectives.resolve(subject, target.subjects().get(subject), saved);
            facts.add(subjectFacts(subject, backups, drills, byId, wal.recoveryPoints().get(subject), objectives));
        }
        return new RepositoryFacts(target.name(), readAt, Duration.ofNanos(System.nanoTime() - started), null, jobs,
                runs, facts, wal.archives(), bytesByArea(objects), catalog.damaged().size(),
                catalog.incomplete().size());
    }

    private static RepositoryFacts.SubjectFacts subjectFacts(String subject, List<BackupManifest> backups,
            List<DrillRecord> drills, Map<String, BackupManifest> byId, Instant walPoint,
            RecoveryObjectives objectives) {
        int count = 0;
        BackupManifest newest = null;
        Instant point = walPoint;
        // backups come newest first
        for (BackupManifest b : backups) {
            if (!SubjectNames.of(b).contains(subject)) {
                continue;
            }
            count++;
            if (b.full()) {
                if (newest == null && !b.safety()) {
                    newest = b;
                }
                point = later(point, restorablePoint(b));
            }
        }
        RepositoryFacts.Drill lastDrill = null;
        RepositoryFacts.Drill lastPass = null;
        // drills come newest first
        for (DrillRecord d : drills) {
            if (!subject.equals(SubjectNames.of(d, byId))) {
                continue;
            }
            RepositoryFacts.Drill drill = new RepositoryFacts.Drill(d.startedAt(), d.passed(),
                    d.rtoMillis() == null ? null : Duration.ofMillis(d.rtoMillis()));
            if (lastDrill == null) {
                lastDrill = drill;
            }
            if (d.passed()) {
                lastPass = drill;
                break;
            }
        }
        RepositoryFacts.Newest n = newest == null ? null : new RepositoryFacts.Newest(newest.backupId(),
                newest.startedAt(), newest.duration(), newest.size(), newest.storedSize());
        return new RepositoryFacts.SubjectFacts(subject, count, n, point, objectives, lastDrill, lastPass);
    }

    /** The point a backup restores to by itself: a physical backup's end, a logical backup's snapshot (its start). */
    private static Instant restorablePoint(BackupManifest b) {
        PostgresSection.PhysicalInfo p = PostgresSection.physical(b);
        return p != null && p.stopTime() != null ? p.stopTime() : b.startedAt();
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b != null && b.isAfter(a) ? b : a;
    }

    /** The WAL archives of the clusters with physical backups, and the recovery points their WAL reaches. */
    private record Wal(List<RepositoryFacts.Wal> archives, Map<String, Instant> recoveryPoints) {
    }

    private static Wal wal(Storage storage, List<BackupManifest> backups) {
        // newest first: the first physical backup of a cluster is its newest
        Map<String, BackupManifest> newestOf = new LinkedHashMap<>();
        for (BackupManifest b : backups) {
            PostgresSection.PhysicalInfo p = PostgresSection.physical(b);
            if (p != null) {
                newestOf.putIfAbsent(p.systemIdentifier(), b);
            }
        }
        List<RepositoryFacts.Wal> archives = new ArrayList<>();
        Map<String, Instant> points = new HashMap<>();
        Map<String, BackupManifest> byId = new HashMap<>();
        backups.forEach(b -> byId.put(b.backupId(), b));
        newestOf.forEach((system, newest) -> {
            PostgresSection.PhysicalInfo p = PostgresSection.physical(newest);
            WalCoverage coverage = WalCoverage.scan(storage, Long.parseUnsignedLong(system), p.walSegmentSize());
            for (WalCoverage.Window w : coverage.windows(backups)) {
                BackupManifest from = byId.get(w.backupId());
                if (from != null) {
                    for (String subject : SubjectNames.of(from)) {
                        points.merge(subject, w.to(), (a, b) -> b.isAfter(a) ? b : a);
                    }
                }
            }
            Instant last = null;
            for (TimelineId t : coverage.timelines()) {
                last = later(last, coverage.newest(t).map(WalCoverage.Archived::stored).orElse(null));
            }
            if (last == null) {
                return;
            }
            long missing = missingSegments(coverage, p);
            for (String subject : SubjectNames.of(newest)) {
                archives.add(new RepositoryFacts.Wal(subject, last, missing));
            }
        });
        return new Wal(archives, points);
    }

    /**
     * The segments missing on the newest timeline: from the newest physical backup's start segment
     * when it is on that timeline (else from the timeline's first archived segment) to the newest
     * archived segment or the backup's stop segment, whichever is later. A partial segment before
     * the newest counts as missing: recovery cannot read past it.
     */
    static long missingSegments(WalCoverage coverage, PostgresSection.PhysicalInfo newest) {
        TimelineId backupTimeline = new TimelineId(newest.timeline());
        TimelineId timeline = backupTimeline;
        for (TimelineId t : coverage.timelines()) {
            if (t.compareTo(timeline) > 0) {
                timeline = t;
            }
        }
        TreeMap<Long, WalCoverage.Archived> segments = new TreeMap<>(coverage.segments(timeline));
        long lastArchived = segments.isEmpty() ? -1 : segments.lastKey();
        long from;
        long to = lastArchived;
        if (timeline.equals(backupTimeline)) {
            from = Lsn.parse(newest.startLsn()).segment(newest.walSegmentSize());
            to = Math.max(to, Lsn.parse(newest.stopLsn()).segment(newest.walSegmentSize()));
        } else {
            // a later timeline (after a promotion) is non-empty: it was found in the archive
            from = segments.firstKey();
        }
        long missing = 0;
        for (long seg = from; seg <= to; seg++) {
            WalCoverage.Archived a = segments.get(seg);
            if (a == null || a.partial() && seg < lastArchived) {
                missing++;
            }
        }
        return missing;
    }

    /** Stored bytes by the first part of each key: backups, wal, runs, drills; anything else is other. */
    private static Map<String, Long> bytesByArea(List<ObjectInfo> objects) {
        Map<String, Long> bytes = new TreeMap<>();
        for (String area : List.of("backups", "wal", "runs", "drills", "other")) {
            bytes.put(area, 0L);
        }
        for (ObjectInfo o : objects) {
            int slash = o.key().indexOf('/');
            String area = slash < 0 ? "other" : o.key().substring(0, slash);
            bytes.merge(bytes.containsKey(area) ? area : "other", o.size(), Long::sum);
        }
        return bytes;
    }

    private void closeStorage() {
        if (storage != null) {
            try {
                storage.close();
            } catch (RuntimeException e) {
                // already failed; the next refresh opens a new one
            }
            storage = null;
        }
    }

    @Override
    public synchronized void close() {
        closeStorage();
    }
}

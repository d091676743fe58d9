package io.arca.app.metrics;

import io.arca.app.catalog.BackupSummary;
import io.arca.app.catalog.SubjectNames;
import io.arca.app.job.Failures;
import io.arca.app.status.StatusQuery;
import io.arca.app.status.StatusReport;
import io.arca.app.status.StatusService;
import io.arca.app.status.SubjectStatus;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunLog;
import io.arca.core.storage.FolderListing;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Reads one repository into {@link RepositoryFacts}: its subjects as {@link StatusService} judges
 * them (so metrics and {@code arca status} agree), its run records, WAL archives and bytes. It keeps
 * its store open between refreshes (reopened after a failure) and the {@link RunTally} of its run
 * records, so that a refresh reads only what is new. Reads only: no lease, no key.
 */
final class RepositoryReader implements AutoCloseable {
    /** Listings run at once: one listing pages through every object in sequence. */
    private static final int LISTERS = 16;
    private final MetricsTarget target;
    private final Clock clock;
    private final Function<StorageUrl, Storage> opener;
    private final RunTally tally = new RunTally();
    private final StatusService status;
    private Storage storage;

    RepositoryReader(MetricsTarget target, Clock clock, Function<StorageUrl, Storage> opener) {
        this.target = target;
        this.clock = clock;
        this.opener = opener;
        this.status = new StatusService(clock);
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
            return RepositoryFacts.failed(target.name(), readAt, Duration.ofNanos(System.nanoTime() - started),
                    Failures.of(e));
        }
    }

    private RepositoryFacts read(Storage store, Instant readAt, long started) {
        // the root, each area, its years and months level by level, then every deeper folder at once
        List<ObjectInfo> objects = FolderListing.listAll(store, "", 4, LISTERS);
        Storage storage = new ListedStorage(store, objects);
        Repository repo = Repository.open(storage, clock);
        Repository.Catalog catalog = repo.catalog();
        List<BackupManifest> backups = catalog.backups();
        List<DrillRecord> drills = repo.drills();
        Map<RunLog.Key, RunLog.Latest> latest = repo.runs().latest();
        List<RepositoryFacts.RunCount> runs = tally.update(repo.runs(), objects);
        StatusQuery query = target.config() == null ? StatusQuery.all()
                : StatusQuery.configured(target.config(), target.name());
        StatusReport report = status.status(repo, query, new StatusService.Inputs(backups, drills, latest));

        List<RepositoryFacts.Job> jobs = new ArrayList<>();
        latest.forEach((k, l) -> jobs.add(new RepositoryFacts.Job(k.subject(), k.job(), l.last(), l.lastSuccess(),
                l.lastFailure())));
        List<RepositoryFacts.SubjectFacts> subjects = new ArrayList<>();
        for (SubjectStatus s : report.subjects()) {
            subjects.add(subjectFacts(s, backups));
        }
        return new RepositoryFacts(target.name(), readAt, Duration.ofNanos(System.nanoTime() - started), null, null,
                jobs, runs, subjects, wal(storage, backups), bytesByArea(objects), catalog.damaged().size(),
                catalog.incomplete().size());
    }

    private static RepositoryFacts.SubjectFacts subjectFacts(SubjectStatus s, List<BackupManifest> backups) {
        int count = (int) backups.stream().filter(b -> SubjectNames.holds(b, s.subject())).count();
        BackupSummary n = s.newestBackup();
        RepositoryFacts.Newest newest = n == null ? null : new RepositoryFacts.Newest(n.id(), n.startedAt(),
                Duration.ofMillis(n.durationMillis()), n.size(), n.storedSize());
        return new RepositoryFacts.SubjectFacts(s.subject(), count, newest,
                s.recoverable() == null ? null : s.recoverable().newest(), s.objectives(), drill(s.lastDrill()),
                drill(s.lastPassedDrill()), s.problems().size());
    }

    private static RepositoryFacts.Drill drill(DrillRecord d) {
        return d == null ? null : new RepositoryFacts.Drill(d.startedAt(), d.passed(),
                d.rtoMillis() == null ? null : Duration.ofMillis(d.rtoMillis()));
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b != null && b.isAfter(a) ? b : a;
    }

    /**
     * The WAL archive of each cluster with physical backups, under the subject of its newest
     * physical backup ({@link SubjectNames#primary}: the name its runs are recorded under).
     */
    private static List<RepositoryFacts.Wal> wal(Storage storage, List<BackupManifest> backups) {
        // newest first: the first physical backup of a cluster is its newest
        Map<String, BackupManifest> newestOf = new LinkedHashMap<>();
        for (BackupManifest b : backups) {
            PostgresSection.PhysicalInfo p = PostgresSection.physical(b);
            if (p != null) {
                newestOf.putIfAbsent(p.systemIdentifier(), b);
            }
        }
        List<RepositoryFacts.Wal> archives = new ArrayList<>();
        newestOf.forEach((system, newest) -> {
            PostgresSection.PhysicalInfo p = PostgresSection.physical(newest);
            WalCoverage coverage = WalCoverage.scan(storage, Long.parseUnsignedLong(system), p.walSegmentSize());
            Instant last = null;
            for (TimelineId t : coverage.timelines()) {
                last = later(last, coverage.newest(t).map(WalCoverage.Archived::stored).orElse(null));
            }
            if (last != null) {
                archives.add(new RepositoryFacts.Wal(SubjectNames.primary(newest), last, missingSegments(coverage, p)));
            }
        });
        return archives;
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

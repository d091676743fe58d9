package io.arca.app.metrics;

import io.arca.core.repo.run.RunRecord;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Renders {@link RepositoryFacts} as Prometheus snapshots at one instant: ages are measured from
 * {@code now}, so that cached facts still give current ages. Families without data points are left out.
 */
final class Exposition {
    private final Map<Metric, List<Point>> points = new EnumMap<>(Metric.class);

    private record Point(Labels labels, double value) {
    }

    private Exposition() {
    }

    static MetricSnapshots render(List<RepositoryFacts> repositories, String version, Instant now) {
        Exposition e = new Exposition();
        e.add(Metric.BUILD_INFO, 1, "version", version);
        for (RepositoryFacts r : repositories) {
            e.repository(r, now);
        }
        return e.snapshots();
    }

    private void repository(RepositoryFacts r, Instant now) {
        String repo = r.repository();
        add(Metric.SCRAPE_ERROR, r.error() == null ? 0 : 1, "repository", repo);
        add(Metric.REFRESH_DURATION, seconds(r.took()), "repository", repo);
        add(Metric.REFRESH_TIMESTAMP, seconds(r.readAt()), "repository", repo);
        if (r.error() != null) {
            return;
        }
        for (RepositoryFacts.Job j : r.jobs()) {
            String[] labels = {"repository", repo, "subject", j.subject(), "job_name", j.job()};
            RunRecord last = j.last();
            add(Metric.JOB_LAST_RUN_TIMESTAMP, seconds(last.finishedAt()), labels);
            add(Metric.JOB_LAST_RUN_SUCCESS, last.succeeded() ? 1 : 0, labels);
            add(Metric.JOB_LAST_RUN_DURATION, seconds(last.duration()), labels);
            if (j.lastSuccess() != null) {
                add(Metric.JOB_LAST_SUCCESS_TIMESTAMP, seconds(j.lastSuccess().finishedAt()), labels);
            }
            if (j.lastFailure() != null) {
                add(Metric.JOB_LAST_FAILURE_TIMESTAMP, seconds(j.lastFailure().finishedAt()), labels);
            }
        }
        for (RepositoryFacts.RunCount c : r.runs()) {
            add(Metric.JOB_RUNS, c.count(), "repository", repo, "subject", c.subject(), "job_name", c.job(), "outcome",
                    c.outcome());
        }
        for (RepositoryFacts.SubjectFacts s : r.subjects()) {
            subject(repo, s, now);
        }
        for (RepositoryFacts.Wal w : r.wal()) {
            String[] labels = {"repository", repo, "subject", w.subject()};
            add(Metric.WAL_LAST_SEGMENT_TIMESTAMP, seconds(w.lastSegment()), labels);
            add(Metric.WAL_LAST_SEGMENT_AGE, age(w.lastSegment(), now), labels);
            add(Metric.WAL_MISSING_SEGMENTS, w.missingSegments(), labels);
        }
        r.bytes().forEach((area, bytes) -> add(Metric.REPOSITORY_BYTES, bytes, "repository", repo, "area", area));
        add(Metric.REPOSITORY_DAMAGED_BACKUPS, r.damagedBackups(), "repository", repo);
        add(Metric.REPOSITORY_INCOMPLETE_BACKUPS, r.incompleteBackups(), "repository", repo);
    }

    private void subject(String repo, RepositoryFacts.SubjectFacts s, Instant now) {
        String[] labels = {"repository", repo, "subject", s.subject()};
        add(Metric.BACKUPS, s.backups(), labels);
        add(Metric.STATUS_PROBLEMS, s.problems(), labels);
        RepositoryFacts.Newest n = s.newest();
        if (n != null) {
            add(Metric.BACKUP_NEWEST_TIMESTAMP, seconds(n.startedAt()), labels);
            add(Metric.BACKUP_AGE, age(n.startedAt(), now), labels);
            add(Metric.BACKUP_NEWEST_BYTES, n.bytes(), labels);
            add(Metric.BACKUP_NEWEST_STORED_BYTES, n.storedBytes(), labels);
            add(Metric.BACKUP_NEWEST_DURATION, seconds(n.duration()), labels);
        }
        if (s.objectives().rpo() != null) {
            add(Metric.RPO_TARGET, seconds(s.objectives().rpo()), labels);
        }
        if (s.recoveryPoint() != null) {
            add(Metric.RECOVERY_POINT_TIMESTAMP, seconds(s.recoveryPoint()), labels);
        }
        if (s.lastDrill() != null) {
            add(Metric.DRILL_LAST_TIMESTAMP, seconds(s.lastDrill().startedAt()), labels);
            add(Metric.DRILL_LAST_SUCCESS, s.lastDrill().passed() ? 1 : 0, labels);
        }
        if (s.lastPass() != null) {
            add(Metric.DRILL_LAST_PASS_TIMESTAMP, seconds(s.lastPass().startedAt()), labels);
            if (s.lastPass().rto() != null) {
                add(Metric.RTO_MEASURED, seconds(s.lastPass().rto()), labels);
            }
        }
        if (s.objectives().drillWithin() != null) {
            add(Metric.DRILL_WITHIN_TARGET, seconds(s.objectives().drillWithin()), labels);
        }
        if (s.objectives().rto() != null) {
            add(Metric.RTO_TARGET, seconds(s.objectives().rto()), labels);
        }
    }

    private void add(Metric metric, double value, String... labels) {
        points.computeIfAbsent(metric, m -> new ArrayList<>()).add(new Point(Labels.of(labels), value));
    }

    private MetricSnapshots snapshots() {
        List<MetricSnapshot> families = new ArrayList<>();
        points.forEach((metric, list) -> families.add(snapshot(metric, list)));
        return new MetricSnapshots(families);
    }

    private static MetricSnapshot snapshot(Metric metric, List<Point> list) {
        switch (metric.type()) {
            case COUNTER -> {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(metric.modelName()).help(metric.help());
                list.forEach(p -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(p.labels())
                        .value(p.value()).build()));
                return b.build();
            }
            case INFO -> {
                InfoSnapshot.Builder b = InfoSnapshot.builder().name(metric.modelName()).help(metric.help());
                list.forEach(p -> b.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(p.labels()).build()));
                return b.build();
            }
            default -> {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(metric.modelName()).help(metric.help());
                list.forEach(p -> b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(p.labels())
                        .value(p.value()).build()));
                return b.build();
            }
        }
    }

    private static double seconds(Instant t) {
        return t.toEpochMilli() / 1000.0;
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    /** Seconds from {@code then} to {@code now}; zero for a time after now (clock skew between hosts). */
    private static double age(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        return d.isNegative() ? 0 : seconds(d);
    }
}

package io.arca.app.metrics;

import io.arca.app.config.ArcaConfig;
import io.arca.core.ArcaVersion;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The Prometheus metrics of one or more repositories (see {@link Metric}), computed from what is
 * in them: backups, drills, the WAL archive, run records. Both front ends use it: {@code arca server}
 * calls {@link #scrape()} per scrape of {@code /metrics}; {@code arca metrics} once.
 *
 * <p>Reading a repository costs listings and reads, so a refresh happens at most every
 * {@code refreshEvery} (zero: at every call); in between, scrapes render the cached facts with
 * ages measured at the scrape. When a refresh is running and facts exist, a concurrent scrape
 * renders those rather than waiting. A repository that cannot be read is reported by
 * {@code arca_metrics_scrape_error} and {@link #failures()}, never thrown: the others still show.
 *
 * <p>Thread-safe. Close it to close the stores it keeps open between refreshes.
 */
public final class MetricsModel implements AutoCloseable {
    /** The media type of {@link #scrape()}'s text: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    /** How often {@code arca server} rereads its repositories unless told otherwise. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(30);

    private final List<RepositoryReader> readers;
    private final Duration refreshEvery;
    private final Clock clock;
    private final String version;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile List<RepositoryFacts> facts;

    MetricsModel(List<MetricsTarget> targets, Duration refreshEvery, Clock clock,
            Function<StorageUrl, Storage> opener) {
        Objects.requireNonNull(refreshEvery, "refreshEvery");
        if (refreshEvery.isNegative()) {
            throw new UsageException("the metrics refresh interval must not be negative: " + refreshEvery);
        }
        if (targets.isEmpty()) {
            throw new UsageException("no repository to compute metrics for",
                    "give --repo URL, or a config with repositories", null);
        }
        Set<String> names = new HashSet<>();
        List<RepositoryReader> readers = new ArrayList<>();
        for (MetricsTarget t : targets) {
            if (!names.add(t.name())) {
                throw new UsageException("repository '" + t.name() + "' is given twice", "give each repository once",
                        null);
            }
            readers.add(new RepositoryReader(t, clock, opener));
        }
        this.readers = List.copyOf(readers);
        this.refreshEvery = refreshEvery;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.version = ArcaVersion.get();
    }

    /**
     * The metrics of {@code targets}, rereading them at most every {@code refreshEvery}.
     *
     * @throws UsageException when there is no target, one is given twice, or the interval is negative
     */
    public static MetricsModel of(List<MetricsTarget> targets, Duration refreshEvery, Clock clock) {
        return new MetricsModel(targets, refreshEvery, clock, Storages::open);
    }

    /** The metrics of the repositories of {@code config}, with the objectives of its subjects. */
    public static MetricsModel of(ArcaConfig config, Duration refreshEvery, Clock clock) {
        return of(MetricsTarget.of(config), refreshEvery, clock);
    }

    /** The repositories, in the order given. */
    public List<MetricsTarget> targets() {
        return readers.stream().map(RepositoryReader::target).toList();
    }

    /** The metrics now, refreshed first when the facts are older than the refresh interval. */
    public MetricSnapshots collect() {
        List<RepositoryFacts> current = facts;
        if (current == null || stale(current)) {
            if (current == null) {
                refreshing.lock();
            } else if (!refreshing.tryLock()) {
                // another scrape is refreshing: these facts are at most one refresh late
                return render(current);
            }
            try {
                current = facts;
                if (current == null || stale(current)) {
                    current = read();
                    facts = current;
                }
            } finally {
                refreshing.unlock();
            }
        }
        return render(current);
    }

    /** Rereads every repository now, whatever the interval. */
    public void refresh() {
        refreshing.lock();
        try {
            facts = read();
        } finally {
            refreshing.unlock();
        }
    }

    /** {@link #collect()} in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Writes {@link #collect()} to {@code out} in the Prometheus text format; does not close it. */
    public void write(OutputStream out) {
        try {
            PrometheusTextFormatWriter.create().write(out, collect());
        } catch (IOException e) {
            throw new UncheckedIOException("writing metrics: " + e.getMessage(), e);
        }
    }

    /** The repositories the last refresh could not read, with why; empty when every one was read. */
    public List<Failure> failures() {
        List<RepositoryFacts> current = facts;
        if (current == null) {
            return List.of();
        }
        return current.stream().filter(f -> f.error() != null)
                .map(f -> new Failure(f.repository(), f.errorCode(), f.error())).toList();
    }

    /**
     * A repository that could not be read.
     *
     * @param repository its label
     * @param code the failure's code ({@link ErrorCode#STORAGE_ACCESS}, {@link ErrorCode#REPOSITORY_NOT_FOUND}, ...)
     * @param message why, one line
     */
    public record Failure(String repository, ErrorCode code, String message) {
    }

    private boolean stale(List<RepositoryFacts> current) {
        Instant readAt = current.stream().map(RepositoryFacts::readAt).min(Instant::compareTo).orElse(Instant.MIN);
        return !clock.instant().isBefore(readAt.plus(refreshEvery));
    }

    private List<RepositoryFacts> read() {
        List<RepositoryFacts> read = new ArrayList<>();
        for (RepositoryReader r : readers) {
            read.add(r.read());
        }
        return List.copyOf(read);
    }

    private MetricSnapshots render(List<RepositoryFacts> current) {
        return Exposition.render(current, version, clock.instant());
    }

    @Override
    public void close() {
        readers.forEach(RepositoryReader::close);
    }
}

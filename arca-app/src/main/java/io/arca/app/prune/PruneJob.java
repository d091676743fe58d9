package io.arca.app.prune;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.arca.app.backup.ConfiguredSubject;
import io.arca.app.config.ArcaConfig;
import io.arca.app.job.Failures;
import io.arca.app.job.RunContext;
import io.arca.app.job.RunResult;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJob;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.retention.DurationText;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The prune of a configured subject: its backups in each of its repositories, by its
 * {@code retention} (else the policy saved in the repository), and the run records older than
 * {@code runs.keep} (default 90 days). A repository that fails does not stop the others; the run
 * is then partial, or failed when none was pruned.
 */
public final class PruneJob implements SubjectJob {
    private final Clock clock;

    public PruneJob() {
        this(Clock.systemUTC());
    }

    public PruneJob(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /** The prunes of every repository of the subject. */
    public record Result(List<PruneResult> repositories, List<String> failed, @JsonIgnore ArcaException firstFailure)
            implements RunResult {
        public Result {
            repositories = List.copyOf(repositories);
            failed = List.copyOf(failed);
        }

        @Override
        public Map<String, String> details() {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("removed", Long.toString(repositories.stream().mapToLong(PruneResult::removed).sum()));
            d.put("freedBytes", Long.toString(repositories.stream().mapToLong(PruneResult::freedBytes).sum()));
            d.put("walFilesRemoved", Integer.toString(repositories.stream()
                    .mapToInt(r -> r.wal().stream().mapToInt(PruneResult.WalExpiry::files).sum()).sum()));
            d.put("runsRemoved", Integer.toString(repositories.stream().mapToInt(PruneResult::runsRemoved).sum()));
            return d;
        }

        @JsonIgnore
        @Override
        public ArcaException partialFailure() {
            if (failed.isEmpty()) {
                return null;
            }
            return new ArcaException(ErrorCode.PARTIAL, "pruned " + repositories.size() + " of "
                    + (repositories.size() + failed.size()) + " repositories; not " + String.join(", ", failed)
                    + ": " + firstFailure.getMessage(), firstFailure.hint());
        }
    }

    @Override
    public Result run(Subject subject, RunContext context) {
        ConfiguredSubject s = new ConfiguredSubject(subject);
        Map<String, String> retention = retention(subject.entry().retention());
        Duration keepRuns = keepRuns(subject.config());
        PruneService service = new PruneService(clock);
        List<PruneResult> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        ArcaException first = null;
        for (ConfiguredSubject.Repository repo : s.repositories()) {
            try {
                done.add(service.run(new PruneRequest(repo.url(), subject.name(), retention, false, false, keepRuns),
                        context));
            } catch (RuntimeException e) {
                if (first == null) {
                    first = Failures.of(e);
                }
                failed.add("'" + repo.url() + "'");
            }
        }
        if (done.isEmpty() && first != null) {
            throw first;
        }
        return new Result(done, failed, first);
    }

    /** A subject's {@code retention} as settings named like the flags; empty when it has none. */
    static Map<String, String> retention(ArcaConfig.Retention r) {
        Map<String, String> s = new LinkedHashMap<>();
        if (r == null) {
            return s;
        }
        put(s, "keep-last", r.keepLast());
        put(s, "keep-within", r.keepWithin());
        put(s, "keep-daily", r.keepDaily());
        put(s, "keep-weekly", r.keepWeekly());
        put(s, "keep-monthly", r.keepMonthly());
        return s;
    }

    /** {@code runs.keep}, or {@link PruneService#DEFAULT_KEEP_RUNS}. */
    public static Duration keepRuns(ArcaConfig config) {
        String keep = config.runs() == null ? null : config.runs().keep();
        if (keep == null || keep.isBlank()) {
            return PruneService.DEFAULT_KEEP_RUNS;
        }
        try {
            return DurationText.parse(keep);
        } catch (IllegalArgumentException e) {
            throw new UsageException("runs.keep in arca.yaml: " + e.getMessage(), "give a duration such as 90d", e);
        }
    }

    private static void put(Map<String, String> s, String name, Object value) {
        if (value != null) {
            s.put(name, value.toString());
        }
    }
}

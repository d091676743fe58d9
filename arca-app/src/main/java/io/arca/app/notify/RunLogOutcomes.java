package io.arca.app.notify;

import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** {@link PreviousOutcomes} from a repository's run records. */
final class RunLogOutcomes {
    private RunLogOutcomes() {
    }

    /** The run before {@code runId} in one log; see {@link PreviousOutcomes#before}. */
    static Optional<RunRecord> before(RunLog log, String job, String subject, String runId,
            Instant startedAt) {
        RunLog.Latest latest = log.latest().get(new RunLog.Key(job, subject));
        if (latest == null) {
            return Optional.empty();
        }
        if (earlier(latest.last(), runId, startedAt)) {
            return Optional.of(latest.last()); // the usual case: looked up before this run's record was written
        }
        // The summary already shows this run, so its "last" is gone: the run before it is among the
        // records since the older of the last success and the last failure that came before it.
        List<RunRecord> known = Stream.of(latest.lastSuccess(), latest.lastFailure())
                .filter(r -> earlier(r, runId, startedAt)).toList();
        if (known.isEmpty()) {
            return Optional.empty();
        }
        Instant since = known.stream().map(RunRecord::startedAt).min(Comparator.naturalOrder()).orElseThrow();
        List<RunRecord> candidates = new ArrayList<>(known);
        for (RunRecord r : log.list(since)) {
            if (r.job().equals(job) && r.subject().equals(subject) && earlier(r, runId, startedAt)) {
                candidates.add(r);
            }
        }
        RunRecord best = null;
        for (RunRecord r : candidates) {
            best = RunRecord.later(best, r);
        }
        return Optional.ofNullable(best);
    }

    private static boolean earlier(RunRecord r, String runId, Instant startedAt) {
        return r != null && !r.runId().equals(runId) && !r.startedAt().isAfter(startedAt);
    }
}

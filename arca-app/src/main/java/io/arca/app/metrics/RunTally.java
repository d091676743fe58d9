package io.arca.app.metrics;

import io.arca.core.repo.run.RunLog;
import io.arca.core.storage.ObjectInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Counts the run records of a repository by job, subject and outcome. Records are never
 * rewritten, so each is read once: a later refresh reads only the records that appeared since.
 * Counts never go down while the tally lives, even when prune deletes old records, so that
 * {@code arca_job_runs_total} behaves as a counter (a restart of the server starts again from the
 * records that are there, which Prometheus takes as a counter reset).
 */
final class RunTally {
    private static final Pattern RECORD = Pattern.compile(
            Pattern.quote(RunLog.PREFIX) + "\\d{4}/\\d{2}/\\d{2}/\\d{8}T\\d{6}Z-[0-9a-f]{8}\\.json");

    /** The records read so far, present in the last listing. */
    private final Set<String> seen = new HashSet<>();
    private final Map<RepositoryFacts.RunCount, Long> counts = new HashMap<>();

    /** Whether {@code key} names a run record (not a summary). */
    static boolean isRecord(String key) {
        return RECORD.matcher(key).matches();
    }

    /**
     * Reads the records of {@code listing} not read before, and returns the counts of every record
     * read so far. The records are read through the catalog index of their month ({@link RunLog#read}):
     * a few segments rather than one request per record. A record that cannot be read (damaged, or
     * deleted since the listing) is tried again at the next update.
     *
     * @param runs the repository's run log
     * @param listing the repository's objects (any, only the run records are read)
     */
    synchronized List<RepositoryFacts.RunCount> update(RunLog runs, List<ObjectInfo> listing) {
        Set<String> present = new HashSet<>();
        List<ObjectInfo> unread = new ArrayList<>();
        for (ObjectInfo o : listing) {
            if (isRecord(o.key())) {
                present.add(o.key());
                if (!seen.contains(o.key())) {
                    unread.add(o);
                }
            }
        }
        seen.retainAll(present);
        runs.read(unread).forEach((key, run) -> {
            counts.merge(new RepositoryFacts.RunCount(run.subject(), run.job(), run.outcome(), 0), 1L, Long::sum);
            seen.add(key);
        });
        List<RepositoryFacts.RunCount> out = new ArrayList<>();
        counts.forEach((k, n) -> out.add(new RepositoryFacts.RunCount(k.subject(), k.job(), k.outcome(), n)));
        return out;
    }
}

package io.arca.app.metrics;

import com.fasterxml.jackson.core.JacksonException;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    /** Small objects are fetched this many at a time: object stores answer each in milliseconds. */
    private static final int READERS = 16;

    /** The records read so far, present in the last listing. */
    private final Set<String> seen = new HashSet<>();
    private final Map<RepositoryFacts.RunCount, Long> counts = new HashMap<>();

    /** Whether {@code key} names a run record (not a summary). */
    static boolean isRecord(String key) {
        return RECORD.matcher(key).matches();
    }

    /**
     * Reads the records of {@code listing} not read before, and returns the counts of every record
     * read so far. A record that cannot be parsed is skipped for good; one that cannot be fetched is
     * tried again at the next update.
     *
     * @param listing the repository's objects (any, only the run records are read)
     */
    synchronized List<RepositoryFacts.RunCount> update(Storage storage, List<ObjectInfo> listing) {
        Set<String> present = new HashSet<>();
        List<String> unread = new ArrayList<>();
        for (ObjectInfo o : listing) {
            if (isRecord(o.key())) {
                present.add(o.key());
                if (!seen.contains(o.key())) {
                    unread.add(o.key());
                }
            }
        }
        seen.retainAll(present);
        for (Read r : readAll(storage, unread)) {
            if (r.record() != null) {
                RunRecord run = r.record();
                counts.merge(new RepositoryFacts.RunCount(run.subject(), run.job(), run.outcome(), 0), 1L, Long::sum);
            }
            if (r.record() != null || r.damaged()) {
                seen.add(r.key());
            }
        }
        List<RepositoryFacts.RunCount> out = new ArrayList<>();
        counts.forEach((k, n) -> out.add(new RepositoryFacts.RunCount(k.subject(), k.job(), k.outcome(), n)));
        return out;
    }

    /** A record read: the record, or whether it is damaged (false: it could not be fetched). */
    private record Read(String key, RunRecord record, boolean damaged) {
    }

    private static List<Read> readAll(Storage storage, List<String> keys) {
        List<Read> out = new ArrayList<>();
        if (keys.isEmpty()) {
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(READERS, keys.size()), r -> {
            Thread t = new Thread(r, "arca-metrics-run-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Read>> reads = new ArrayList<>();
            for (String key : keys) {
                reads.add(pool.submit(() -> read(storage, key)));
            }
            for (Future<Read> f : reads) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading run records", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    private static Read read(Storage storage, String key) {
        try (InputStream in = storage.openRead(key)) {
            return new Read(key, RepositoryJson.read(in, RunRecord.class), false);
        } catch (JacksonException | IllegalArgumentException e) {
            return new Read(key, null, true);
        } catch (IOException | RuntimeException e) {
            // gone since the listing (pruned), or storage trouble: tried again next time if still listed
            return new Read(key, null, false);
        }
    }
}

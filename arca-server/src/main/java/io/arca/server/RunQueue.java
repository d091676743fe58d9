package io.arca.server;

import io.arca.core.repo.run.RunRecord;
import java.util.List;
import java.util.Optional;

/**
 * Where runs are started: the scheduler and the API's triggers both submit here. At most one run
 * of a subject at a time (a second waits), at most the configured number at once. Thread-safe.
 */
public interface RunQueue {
    /**
     * Queues a run of {@code job} for {@code subject} and returns its state at once (queued).
     *
     * @throws io.arca.core.error.UsageException for a subject the configuration does not name, or a
     *     job the subject has nothing to run for
     * @throws io.arca.core.error.ArcaException {@code LOCK_HELD} on a replica that does not lead (the
     *     leader runs jobs), {@code FAILURE} while the server shuts down
     */
    RunState submit(RunRecord.Job job, String subject, RunRecord.Trigger trigger);

    /** A run's state: queued, running, or finished (then with its record); empty for an unknown id. */
    Optional<RunState> state(String runId);

    /** The runs queued or running now, oldest first. */
    List<RunState> active();
}

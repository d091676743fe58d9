package io.arca.server.http;

import io.arca.core.error.UsageException;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.run.RunRecord;
import io.arca.server.RunQueue;
import io.arca.server.RunState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A run queue that records what is submitted and runs nothing: the API's side of the contract. A
 * test moves a run to running or finished with {@link #start} and {@link #finish}.
 */
final class RecordingRunQueue implements RunQueue {
    /** What was submitted. */
    record Submission(RunRecord.Job job, String subject, RunRecord.Trigger trigger) {
    }

    final List<Submission> submissions = new CopyOnWriteArrayList<>();
    /** When set, what {@link #submit} throws (a replica that does not lead, a shutdown). */
    volatile RuntimeException refuse;
    private final Map<String, RunState> states = new ConcurrentHashMap<>();
    private final Set<String> subjects;
    private final Clock clock;
    private final Random random = new Random(7);

    RecordingRunQueue(Set<String> subjects, Clock clock) {
        this.subjects = subjects;
        this.clock = clock;
    }

    @Override
    public synchronized RunState submit(RunRecord.Job job, String subject, RunRecord.Trigger trigger) {
        if (refuse != null) {
            throw refuse;
        }
        if (!subjects.contains(subject)) {
            throw new UsageException("no subject '" + subject + "' in arca.yaml");
        }
        if (job == RunRecord.Job.DRILL && subject.equals("reports")) {
            throw new UsageException("subject 'reports' has no drill settings", "add drill: to its entry", null);
        }
        submissions.add(new Submission(job, subject, trigger));
        String id = BackupId.generate(clock.instant(), random).value();
        RunState s = new RunState(id, job.jobName(), subject, trigger.triggerName(), RunState.QUEUED, clock.instant(),
                null, null);
        states.put(id, s);
        return s;
    }

    void start(String runId) {
        states.computeIfPresent(runId, (id, s) -> new RunState(id, s.job(), s.subject(), s.trigger(),
                RunState.RUNNING, s.queuedAt(), clock.instant(), null));
    }

    void finish(String runId, RunRecord record) {
        states.computeIfPresent(runId, (id, s) -> new RunState(id, s.job(), s.subject(), s.trigger(),
                record.outcome(), s.queuedAt(), s.startedAt(), record));
    }

    @Override
    public Optional<RunState> state(String runId) {
        return Optional.ofNullable(states.get(runId));
    }

    @Override
    public List<RunState> active() {
        List<RunState> out = new ArrayList<>();
        states.values().stream().filter(s -> s.record() == null)
                .sorted(java.util.Comparator.comparing(RunState::queuedAt).thenComparing(RunState::runId))
                .forEach(out::add);
        return out;
    }
}

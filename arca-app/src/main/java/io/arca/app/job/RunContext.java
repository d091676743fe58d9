package io.arca.app.job;

import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import io.arca.core.repo.Repository;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a running job knows about its run: its id, where events go, and the repositories its
 * record is written to (a job adds each repository it opens with {@link #recordIn}).
 */
public final class RunContext {
    private final String runId;
    private final JobListener listener;
    private final List<Repository> recordIn = new CopyOnWriteArrayList<>();

    RunContext(String runId, JobListener listener, List<Repository> recordIn) {
        this.runId = runId;
        this.listener = listener;
        this.recordIn.addAll(recordIn);
    }

    public String runId() {
        return runId;
    }

    /** Sends an event of this run to the listeners. */
    public void emit(JobEvent event) {
        listener.on(event);
    }

    /** The record of this run also goes to {@code repository} (once, however often it is named). */
    public void recordIn(Repository repository) {
        for (Repository r : recordIn) {
            if (r.storage().url().equals(repository.storage().url())) {
                return;
            }
        }
        recordIn.add(repository);
    }

    List<Repository> repositories() {
        return List.copyOf(recordIn);
    }
}

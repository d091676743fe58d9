package io.arca.app.job;

import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import io.arca.core.repo.Repository;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a running job knows about its run: its id, where events go, and the repositories its
 * record is written to (a job adds each repository it opens with {@link #recordIn}). A repository
 * the record goes to must still be open when the job returns: the job hands it to {@link
 * #closeAtEnd}, and the recorder closes it once the record is written.
 */
public final class RunContext {
    private final String runId;
    private final JobListener listener;
    private final List<Repository> recordIn = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeAtEnd = new CopyOnWriteArrayList<>();

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

    /**
     * Closes {@code resource} when the run ends, after its record is written (a repository and its
     * lease, say); resources close in the reverse order of these calls, each whatever the others do.
     */
    public void closeAtEnd(AutoCloseable resource) {
        closeAtEnd.add(resource);
    }

    List<Repository> repositories() {
        return List.copyOf(recordIn);
    }

    /** Closes what {@link #closeAtEnd} was given, last first; failures are left out (the run's outcome stands). */
    void closeAll() {
        List<AutoCloseable> all = new ArrayList<>(closeAtEnd);
        closeAtEnd.clear();
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // closing after the run: a lease that cannot be released expires by itself
            }
        }
    }
}

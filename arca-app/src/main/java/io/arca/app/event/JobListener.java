package io.arca.app.event;

/**
 * Receives the events of runs. Called on the thread that runs the job, possibly from several jobs
 * at once: implementations are thread-safe, quick, and never throw (a listener must not fail a
 * backup).
 */
@FunctionalInterface
public interface JobListener {
    JobListener NONE = e -> { };

    void on(JobEvent event);

    /** Both listeners, this one first; a listener that throws is skipped, never fatal. */
    default JobListener and(JobListener other) {
        return e -> {
            try {
                on(e);
            } catch (RuntimeException ignored) {
                // a listener must not fail a run
            }
            try {
                other.on(e);
            } catch (RuntimeException ignored) {
                // a listener must not fail a run
            }
        };
    }
}

package io.arca.app.event;

import io.arca.core.repo.run.RunRecord;
import java.time.Duration;
import java.time.Instant;

/** What happens during one run, in order: started, then artifacts and commits, then failed or not, then finished. */
public sealed interface JobEvent {
    /** The run this event belongs to. */
    String runId();

    /** A run began. */
    record Started(String runId, String job, String subject, String trigger, Instant at) implements JobEvent {
    }

    /**
     * One artifact was stored: its plain and stored bytes and how long it took ({@code took} is null
     * when not measured: a backup reports its artifacts from the manifest once it is committed).
     */
    record ArtifactStored(String runId, String artifact, long bytes, long storedBytes, Duration took)
            implements JobEvent {
    }

    /** A backup's manifest was written: the backup exists. */
    record Committed(String runId, String backupId, String repository, long bytes, long storedBytes, Duration took)
            implements JobEvent {
    }

    /** The run failed (or ended partial): the error code, exit code and the one-line message. */
    record Failed(String runId, String errorCode, int exitCode, String message, String hint) implements JobEvent {
    }

    /** The run's record could not be written to one repository (its outcome stands). */
    record RecordNotWritten(String runId, String repository, String reason) implements JobEvent {
    }

    /** The run ended; its record, as written to the repository. */
    record Finished(String runId, RunRecord record) implements JobEvent {
    }
}

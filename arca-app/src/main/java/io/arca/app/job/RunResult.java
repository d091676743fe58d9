package io.arca.app.job;

import java.util.Map;

/** What a run's record says about a result beyond its outcome; every job's typed result implements it. */
public interface RunResult {
    /** The plain bytes the run handled, or null. */
    default Long bytes() {
        return null;
    }

    /** The bytes it stored, or null. */
    default Long storedBytes() {
        return null;
    }

    /** The backup it made or used, or null. */
    default String backupId() {
        return null;
    }

    /** A few more facts for the record (string values: a record stays small and flat). */
    default Map<String, String> details() {
        return Map.of();
    }

    /**
     * Null when the run did everything; else the failure that left part undone (a copy to a second
     * repository, say): the run is recorded {@code partial} with that error, and the front end
     * exits with its code.
     */
    default io.arca.core.error.ArcaException partialFailure() {
        return null;
    }
}

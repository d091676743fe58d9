package io.arca.postgres.logical;

import io.arca.core.error.UsageException;
import io.arca.postgres.local.ConnectionSettings;
import java.util.List;

/**
 * How {@link RestoreDrill} runs.
 *
 * @param scratchServer a server to restore into (a uniquely named scratch database is created
 *     there and dropped afterwards); null starts an ephemeral cluster of the backup's major version
 * @param jobs parallel restore workers, also used for counting rows
 * @param checks the user's checks, run after the built-in ones
 * @param rtoTarget the recovery time objective to report the measured RTO against, or null
 * @param sections drills the backup's sections of other sources (run after the database's checks
 *     and counted in the RTO); null when there is nothing to drill besides the database
 */
public record DrillOptions(ConnectionSettings scratchServer, int jobs, List<UserCheck> checks, String rtoTarget,
        java.util.function.Supplier<List<io.arca.core.repo.DrillRecord.SectionCheck>> sections) {
    /** A drill of the database alone. */
    public DrillOptions(ConnectionSettings scratchServer, int jobs, List<UserCheck> checks, String rtoTarget) {
        this(scratchServer, jobs, checks, rtoTarget, null);
    }

    public DrillOptions {
        checks = List.copyOf(checks);
        if (jobs < 1) {
            throw new UsageException("--jobs must be at least 1");
        }
    }
}

package io.arca.app.drill;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import io.arca.core.source.BackupSource;
import io.arca.core.source.SourceOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.logical.UserCheck;
import java.util.List;
import java.util.function.Function;

/**
 * What to drill, and how.
 *
 * @param ref a backup id, unique prefix, {@code latest} or {@code latest~N}; null for {@code latest}
 *     (of {@code subject}, when given)
 * @param subject the subject whose backup is drilled and for which the run is recorded; null: the
 *     backup's ({@link io.arca.app.catalog.SubjectNames#primary})
 * @param scratchServer a server to restore into (a scratch database is created and dropped there);
 *     null for a throwaway cluster of the backup's major version
 * @param jobs parallel restore and row-count workers
 * @param checks the user's checks, run after the built-in ones
 * @param rto the RTO given ({@code 4h}, {@code none}), or null: then {@code objectives}' RTO, else
 *     the one saved in {@code arca.json} for the subject, else for every subject
 * @param objectives the configured subject's objectives in {@code arca.yaml}, or null
 * @param sectionOptions each other source's drill options (where to recover its sections)
 */
public record DrillRequest(String ref, String subject, ConnectionSettings scratchServer, int jobs,
        List<UserCheck> checks, String rto, ArcaConfig.Objectives objectives,
        Function<BackupSource, SourceOptions> sectionOptions) {
    public DrillRequest {
        checks = List.copyOf(checks);
        if (jobs < 1) {
            throw new UsageException("--jobs must be at least 1");
        }
        sectionOptions = sectionOptions == null ? s -> SourceOptions.NONE : sectionOptions;
    }
}

package io.arca.app.backup;

import io.arca.app.job.RunContext;
import io.arca.app.job.RunResult;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJob;
import io.arca.core.Progress;
import io.arca.core.source.BackupSources;
import io.arca.postgres.local.ConnectionSettings;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The backup of a configured subject, as the server's scheduler and API run it: a logical backup
 * of its database with its further sources ({@code sources}) into its first repository, copied into
 * the others; or, {@code physical}, a base backup of its database's cluster into its first
 * repository alone (a physical backup's copy would lack the WAL archive it needs). The backup carries
 * the label {@code subject=<name>}.
 */
public final class BackupJob implements SubjectJob {
    private final boolean physical;
    private final Clock clock;

    public BackupJob(boolean physical) {
        this(physical, Clock.systemUTC());
    }

    public BackupJob(boolean physical, Clock clock) {
        this.physical = physical;
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public RunResult run(Subject subject, RunContext context) {
        return new BackupService(clock).run(request(subject), context, Progress.NONE);
    }

    /** The backup the subject's entry asks for. */
    public BackupRequest request(Subject subject) {
        ConfiguredSubject s = new ConfiguredSubject(subject);
        List<ConfiguredSubject.Repository> repositories = s.repositories();
        if (physical) {
            ConnectionSettings db = s.requireDatabase("a physical backup");
            return new BackupRequest(List.of(repositories.get(0).url()), subject.name(), db, null,
                    BackupRequest.Physical.defaults(), List.of(), s.labels(), s.compression(),
                    s.encryptionKeys(repositories.get(0)), null);
        }
        // copies are read as stored: every repository takes the first one's encryption
        return new BackupRequest(repositories.stream().map(ConfiguredSubject.Repository::url).toList(),
                subject.name(), s.database(), s.logical(), null, s.sources(BackupSources.load()), s.labels(),
                s.compression(), s.encryptionKeys(repositories.get(0)), null);
    }
}

package io.arca.server;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When each job last ran, from the run records of each subject's first repository (every run's record
 * goes there, whichever host ran it). Each repository's summaries are read once, at the first question.
 */
final class RunLogHistory implements Scheduler.History {
    private final ArcaConfig config;
    private final Clock clock;
    private final Map<String, Map<RunLog.Key, RunLog.Latest>> byUrl = new HashMap<>();

    RunLogHistory(ArcaConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    @Override
    public synchronized Optional<Instant> lastRun(RunRecord.Job job, String subject) {
        ArcaConfig.SubjectEntry entry = config.subjects().get(subject);
        List<String> names = entry == null || entry.repositories() == null ? List.of() : entry.repositories();
        if (names.isEmpty()) {
            return Optional.empty();
        }
        ArcaConfig.RepositoryEntry repo = config.repositories() == null ? null : config.repositories().get(names.get(0));
        if (repo == null || repo.url() == null) {
            throw new UsageException("subjects." + subject + ".repositories names '" + names.get(0)
                    + "', which is not under repositories", "add it under repositories with its url", null);
        }
        Map<RunLog.Key, RunLog.Latest> latest = byUrl.computeIfAbsent(repo.url(), url -> {
            try (Storage storage = Storages.open(StorageUrl.parse(url))) {
                return new RunLog(storage, clock).latest();
            }
        });
        RunLog.Latest l = latest.get(new RunLog.Key(job.jobName(), subject));
        return l == null || l.last() == null ? Optional.empty() : Optional.of(l.last().startedAt());
    }
}

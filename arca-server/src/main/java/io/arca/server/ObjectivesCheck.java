package io.arca.server;

import io.arca.app.config.ArcaConfig;
import io.arca.app.notify.ObjectiveMiss;
import io.arca.app.status.StatusQuery;
import io.arca.app.status.StatusReport;
import io.arca.app.status.StatusService;
import io.arca.app.status.SubjectStatus;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which objectives (RPO, RTO, drill-within) each configured subject misses, judged by
 * {@link StatusService} on the subject's first repository, where all its backups, drills and run
 * records are, and read by {@link ObjectiveMiss#of}. Failed runs are not objective misses: the
 * notifier reports them as failures.
 */
final class ObjectivesCheck {
    private final ArcaConfig config;
    private final Clock clock;

    ObjectivesCheck(ArcaConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /**
     * Per subject whose first repository could be read: what it misses (empty: nothing). A
     * repository that cannot be read leaves its subjects out (their state stands) and is reported
     * through {@code unreadable}.
     */
    Map<String, List<ObjectiveMiss>> check(java.util.function.Consumer<String> unreadable) {
        Map<String, List<String>> byPrimary = new LinkedHashMap<>();
        if (config.subjects() != null) {
            config.subjects().forEach((name, s) -> {
                if (s.repositories() != null && !s.repositories().isEmpty()) {
                    byPrimary.computeIfAbsent(s.repositories().get(0), k -> new ArrayList<>()).add(name);
                }
            });
        }
        Map<String, List<ObjectiveMiss>> misses = new LinkedHashMap<>();
        StatusService status = new StatusService(clock);
        byPrimary.forEach((repoName, subjects) -> {
            ArcaConfig.RepositoryEntry entry = config.repositories() == null ? null
                    : config.repositories().get(repoName);
            if (entry == null || entry.url() == null) {
                return;
            }
            StatusReport report;
            try (Storage storage = Storages.open(StorageUrl.parse(entry.url()))) {
                report = status.status(Repository.open(storage, clock), StatusQuery.configured(config, repoName));
            } catch (RuntimeException e) {
                unreadable.accept("objectives of " + subjects + " not checked: repository '" + repoName + "': "
                        + io.arca.app.job.Failures.of(e).getMessage());
                return;
            }
            for (String subject : subjects) {
                SubjectStatus s = report.subject(subject);
                misses.put(subject, s == null ? List.of() : ObjectiveMiss.of(s));
            }
        });
        return misses;
    }
}

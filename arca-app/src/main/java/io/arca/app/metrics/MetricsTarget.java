package io.arca.app.metrics;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.StorageUrl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One repository to compute metrics for.
 *
 * @param name the {@code repository} label: its name in {@code arca.yaml}, else its URL without
 *     options ({@link #labelOf})
 * @param url where it is
 * @param subjects the subjects {@code arca.yaml} backs up into it, with their objectives there
 *     (fields left null fall back to {@code arca.json}'s saved objectives); empty without a config
 */
public record MetricsTarget(String name, StorageUrl url, Map<String, RepositoryConfig.Objectives> subjects) {

    public MetricsTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        subjects = subjects == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(subjects));
    }

    /** A repository given by URL: objectives come from its {@code arca.json}. */
    public static MetricsTarget of(StorageUrl url) {
        return new MetricsTarget(labelOf(url), url, Map.of());
    }

    /**
     * The repositories of {@code config}, in its order, each with the subjects that name it.
     *
     * @throws UsageException when a subject names a repository the config does not define
     */
    public static List<MetricsTarget> of(ArcaConfig config) {
        Map<String, ArcaConfig.RepositoryEntry> repositories = config.repositories() == null ? Map.of()
                : config.repositories();
        Map<String, Map<String, RepositoryConfig.Objectives>> subjectsOf = new LinkedHashMap<>();
        repositories.keySet().forEach(name -> subjectsOf.put(name, new LinkedHashMap<>()));
        if (config.subjects() != null) {
            config.subjects().forEach((subject, entry) -> {
                List<String> names = entry == null || entry.repositories() == null ? List.of() : entry.repositories();
                for (String repository : names) {
                    Map<String, RepositoryConfig.Objectives> subjects = subjectsOf.get(repository);
                    if (subjects == null) {
                        throw new UsageException("subject '" + subject + "' names repository '" + repository
                                + "', which arca.yaml does not define", "add it under 'repositories:' or fix the name", null);
                    }
                    ArcaConfig.Objectives o = entry.objectives();
                    subjects.put(subject, o == null ? new RepositoryConfig.Objectives(null, null, null)
                            : new RepositoryConfig.Objectives(o.rpo(), o.rto(), o.drillWithin()));
                }
            });
        }
        List<MetricsTarget> targets = new ArrayList<>();
        repositories.forEach((name, entry) -> {
            if (entry == null || entry.url() == null || entry.url().isBlank()) {
                throw new UsageException("repository '" + name + "' in arca.yaml has no url",
                        "give it one: url: s3://bucket/prefix or a path", null);
            }
            targets.add(new MetricsTarget(name, StorageUrl.parse(entry.url()), subjectsOf.get(name)));
        });
        return targets;
    }

    /**
     * A repository's label when it has no name: its URL without the query, which holds endpoints and
     * other options rather than where the backups are (credentials are never in a URL).
     */
    public static String labelOf(StorageUrl url) {
        return new StorageUrl(url.scheme(), url.authority(), url.path(), "").toString();
    }
}

package io.arca.app.metrics;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import io.arca.core.storage.StorageUrl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One repository to compute metrics for.
 *
 * @param name the {@code repository} label: its name in {@code arca.yaml}, else its URL without
 *     options ({@link #labelOf})
 * @param url where it is
 * @param config the {@code arca.yaml} that names it, or null: the subjects it backs up into this
 *     repository are reported even without a backup, with their objectives (fields left out fall
 *     back to {@code arca.json}'s saved objectives, as {@code arca status} judges them)
 */
public record MetricsTarget(String name, StorageUrl url, ArcaConfig config) {

    public MetricsTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
    }

    /** A repository given by URL: objectives come from its {@code arca.json}. */
    public static MetricsTarget of(StorageUrl url) {
        return new MetricsTarget(labelOf(url), url, null);
    }

    /**
     * The repositories of {@code config}, in its order.
     *
     * @throws UsageException when a repository has no URL, or a subject names a repository the
     *     config does not define
     */
    public static List<MetricsTarget> of(ArcaConfig config) {
        Map<String, ArcaConfig.RepositoryEntry> repositories = config.repositories() == null ? Map.of()
                : config.repositories();
        if (config.subjects() != null) {
            config.subjects().forEach((subject, entry) -> {
                for (String repository : entry == null || entry.repositories() == null ? List.<String>of()
                        : entry.repositories()) {
                    if (!repositories.containsKey(repository)) {
                        throw new UsageException("subject '" + subject + "' names repository '" + repository
                                + "', which arca.yaml does not define", "add it under 'repositories:' or fix the name",
                                null);
                    }
                }
            });
        }
        List<MetricsTarget> targets = new ArrayList<>();
        repositories.forEach((name, entry) -> {
            if (entry == null || entry.url() == null || entry.url().isBlank()) {
                throw new UsageException("repository '" + name + "' in arca.yaml has no url",
                        "give it one: url: s3://bucket/prefix or a path", null);
            }
            targets.add(new MetricsTarget(name, StorageUrl.parse(entry.url()), config));
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

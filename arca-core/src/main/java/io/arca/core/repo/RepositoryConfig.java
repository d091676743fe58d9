package io.arca.core.repo;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content of {@code arca.json}: the repository's format version, its id, when it was made,
 * and defaults for backups written into it.
 */
public record RepositoryConfig(int formatVersion, String repositoryId, Instant createdAt, Defaults defaults) {
    /** The repository format this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Defaults that apply when a command does not say otherwise.
     *
     * @param compression codec of new backups, such as {@code zstd:3}
     * @param retention the repository's retention policy for {@code arca prune}, as settings named
     *     like the flags ({@code keep-daily: "7"}, {@code keep-within: "36h"}); null or empty when
     *     none is saved
     */
    public record Defaults(String compression, Map<String, String> retention) {
        public Defaults {
            retention = retention == null ? null : Collections.unmodifiableMap(new TreeMap<>(retention));
        }

        public Defaults(String compression) {
            this(compression, null);
        }

        public Defaults withRetention(Map<String, String> settings) {
            return new Defaults(compression, settings);
        }
    }

    public RepositoryConfig withDefaults(Defaults newDefaults) {
        return new RepositoryConfig(formatVersion, repositoryId, createdAt, newDefaults);
    }
}

package io.arca.core.repo;

import java.time.Instant;

/**
 * The content of {@code arca.json}: the repository's format version, its id, when it was made,
 * and defaults for backups written into it.
 */
public record RepositoryConfig(int formatVersion, String repositoryId, Instant createdAt, Defaults defaults) {
    /** The repository format this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /** Defaults that apply when a backup does not say otherwise. */
    public record Defaults(String compression) {
    }
}

package io.arca.core.source;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A source of backups: Kubernetes objects, files, Qdrant snapshots. Found with {@link
 * java.util.ServiceLoader} (see {@link BackupSources}); the command line adds each source's
 * options to {@code arca backup}, {@code arca restore} and {@code arca drill} and calls it when its
 * options select it, so one {@code arca backup} can hold a database and the rest of the
 * application: one id, one manifest, one retention, one verify.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #backup} writes its artifacts only through {@link BackupContext#pending()} and
 *       streams them (no whole artifact in memory or in a temp file); it returns one
 *       {@link BackupPart} per subject. It never commits: the manifest is written once, after
 *       every source succeeded, and a failure of any source discards the whole backup.
 *   <li>Artifacts are in standard formats (YAML, tar, a service's own snapshot file) so that the
 *       by-hand restore in {@code docs/repository-format.md} works without Arca.
 *   <li>{@link #restore} reads artifacts only through {@link Repository#openArtifact} (digests
 *       checked), never overwrites without {@link RestoreContext#clean()}, and never deletes what
 *       the backup does not hold.
 *   <li>Errors a user can act on are {@link io.arca.core.error.ArcaException}s with a code and a
 *       hint; bad option values are {@link io.arca.core.error.UsageException}s, thrown by the
 *       {@code check*} methods before anything is read or written.
 *   <li>Implementations are stateless and thread-safe; the ids and option names of all sources
 *       are distinct.
 * </ul>
 */
public interface BackupSource {
    /** Stable id recorded in manifests: {@code kubernetes.objects}, {@code files}, {@code qdrant.snapshot}. */
    String id();

    /** A short name for messages and {@code --help}: {@code Kubernetes objects}. */
    String title();

    /** Options on {@code arca backup}; the first is the one that selects the source (named in usage errors). */
    List<SourceOption> backupOptions();

    /** Whether {@code arca backup} with these options includes this source. */
    boolean backupSelected(SourceOptions options);

    /** Checks the option values before anything connects or is written. */
    default void checkBackup(SourceOptions options) {
    }

    /** Takes this source's part of a backup. */
    List<BackupPart> backup(BackupContext context, SourceOptions options) throws IOException;

    /** Options on {@code arca restore}; the first is the one that selects the source. */
    List<SourceOption> restoreOptions();

    /** Whether {@code arca restore} with these options restores this source's sections. */
    boolean restoreSelected(SourceOptions options);

    /**
     * Whether these options ask to restore this source alone ({@code --k8s-only}): the database
     * of the backup is then not restored, even when a target database is configured.
     */
    default boolean restoreOnly(SourceOptions options) {
        return false;
    }

    /** Checks the option values before anything is restored. */
    default void checkRestore(SourceOptions options) {
    }

    /**
     * Checks, before anything of the backup is restored (the database included), that this source
     * can restore {@code sections} where {@code options} say: what it would refuse (an existing
     * target without {@link RestoreContext#clean()}) it refuses here, so that a restore never stops
     * halfway. Reads nothing of the artifacts.
     *
     * @param sections this source's sections of the backup
     */
    default void checkTargets(RestoreContext context, List<Section> sections, SourceOptions options)
            throws IOException {
    }

    /**
     * Restores one section of this source (called once for each such section of the backup).
     *
     * @return one line saying what was done: {@code 4 objects created, 2 kept (they exist; --clean replaces them)}
     */
    String restore(RestoreContext context, Section section, SourceOptions options) throws IOException;

    /**
     * What a section holds, one line per item, for {@code arca restore --list} and {@code arca show}.
     * May read the section's artifacts.
     */
    List<String> contents(Repository repository, BackupManifest manifest, Section section) throws IOException;

    /**
     * Reads the section's artifacts' plain bytes and checks them against the section's details.
     *
     * @return problems, one lowercase line each; empty when the section is sound
     */
    List<String> verify(VerifyContext context, Section section) throws IOException;

    /** Options on {@code arca drill}. */
    default List<SourceOption> drillOptions() {
        return List.of();
    }

    /**
     * Proves a section by recovering it where {@code options} say (a scratch service) and checking
     * it, or empty when these options give nowhere to recover it (the drill then verifies it).
     *
     * @return the checks made, one line each
     * @throws io.arca.core.error.ArcaException VERIFICATION_FAILED when a check fails
     */
    default Optional<List<String>> drill(RestoreContext context, Section section, SourceOptions options)
            throws IOException {
        return Optional.empty();
    }

    /** Hooks around {@code arca restore} that this source's restore options ask for ({@code --scale-down}). */
    default List<Hook> restoreHooks(SourceOptions options) {
        return List.of();
    }
}

package io.arca.core.repo;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactInput;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.Codec;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.pipeline.SeekPoint;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An Arca repository in a {@link Storage}: {@code arca.json}, backups with their manifests, and
 * the catalog of complete backups. A backup is complete once its manifest exists; the manifest is
 * written last, with an if-absent write, so an interrupted backup is never listed and never
 * becomes {@code latest}.
 */
public final class Repository {
    /** Key of the repository descriptor. */
    public static final String CONFIG_KEY = "arca.json";
    /** File name of a backup's manifest inside its folder. */
    public static final String MANIFEST_FILE = "manifest.json";
    private static final String BACKUPS_PREFIX = "backups/";

    private final Storage storage;
    private final RepositoryConfig config;
    private final Clock clock;
    private final Random random = new SecureRandom();

    private Repository(Storage storage, RepositoryConfig config, Clock clock) {
        this.storage = storage;
        this.config = config;
        this.clock = clock;
    }

    /** Creates a repository; refuses a location that already has one. */
    public static Repository init(Storage storage, RepositoryConfig.Defaults defaults, Clock clock) {
        RepositoryConfig config = new RepositoryConfig(RepositoryConfig.FORMAT_VERSION, UUID.randomUUID().toString(),
                clock.instant(), defaults);
        try (StorageWriter w = storage.openWrite(CONFIG_KEY, WriteOptions.ifAbsent())) {
            w.write(RepositoryJson.write(config));
            w.commit();
        } catch (StorageAlreadyExistsException e) {
            throw alreadyExists(storage);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Repository(storage, config, clock);
    }

    private static ArcaException alreadyExists(Storage storage) {
        return new ArcaException(ErrorCode.REPOSITORY_EXISTS, "a repository already exists at '" + storage.url() + "'",
                "use it as it is, or choose another location");
    }

    /** Opens an existing repository. */
    public static Repository open(Storage storage, Clock clock) {
        if (storage.stat(CONFIG_KEY).isEmpty()) {
            throw new ArcaException(ErrorCode.REPOSITORY_NOT_FOUND, "no arca repository at '" + storage.url() + "'",
                    "create one with 'arca init --repo " + storage.url() + "', or check --repo / ARCA_REPO");
        }
        RepositoryConfig config;
        try (InputStream in = storage.openRead(CONFIG_KEY)) {
            config = RepositoryJson.read(in, RepositoryConfig.class);
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.REPOSITORY_NOT_FOUND, "cannot read '" + CONFIG_KEY + "' at '"
                    + storage.url() + "': " + e.getMessage(), "the repository descriptor is damaged", e);
        }
        if (config.formatVersion() > RepositoryConfig.FORMAT_VERSION) {
            throw new ArcaException(ErrorCode.REPOSITORY_VERSION, "repository at '" + storage.url() + "' has format "
                    + config.formatVersion() + ", this arca reads up to " + RepositoryConfig.FORMAT_VERSION,
                    "upgrade arca");
        }
        return new Repository(storage, config, clock);
    }

    public Storage storage() {
        return storage;
    }

    public RepositoryConfig config() {
        return config;
    }

    /**
     * Replaces the defaults in {@code arca.json} (the only repository file that is ever rewritten;
     * the store replaces it atomically) and returns the repository with them.
     */
    public Repository withDefaults(RepositoryConfig.Defaults defaults) {
        RepositoryConfig updated = config.withDefaults(defaults);
        try (StorageWriter w = storage.openWrite(CONFIG_KEY, WriteOptions.DEFAULT)) {
            w.write(RepositoryJson.write(updated));
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Repository(storage, updated, clock);
    }

    public Clock clock() {
        return clock;
    }

    /** The compression codec configured as default for this repository. */
    public CodecSpec defaultCodec() {
        String c = config.defaults() == null ? null : config.defaults().compression();
        return c == null ? CodecSpec.defaults() : CodecSpec.parse(c);
    }

    /** Starts a new backup. Nothing is listed until {@link PendingBackup#commit} writes the manifest. */
    public PendingBackup begin(BackupKind kind) {
        Instant start = clock.instant();
        return new PendingBackup(BackupId.generate(start, random), kind, start);
    }

    /** The key of a file inside a backup's folder. */
    public static String key(BackupId id, String file) {
        return id.directory() + "/" + file;
    }

    /** Complete backups, newest first. Manifests that cannot be read are skipped (see {@link #catalog()}). */
    public List<BackupManifest> list() {
        return catalog().backups();
    }

    /**
     * Every backup folder: complete ones (with a readable manifest, newest first), folders whose
     * manifest cannot be read, and incomplete folders (no manifest; interrupted backups).
     */
    public Catalog catalog() {
        Map<String, Boolean> folders = new TreeMap<>();
        for (ObjectInfo info : storage.list(BACKUPS_PREFIX)) {
            String key = info.key();
            int slash = key.lastIndexOf('/');
            if (slash < 0) {
                continue;
            }
            String folder = key.substring(0, slash);
            boolean manifest = key.substring(slash + 1).equals(MANIFEST_FILE);
            folders.merge(folder, manifest, Boolean::logicalOr);
        }
        List<BackupManifest> backups = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        folders.forEach((folder, hasManifest) -> {
            if (!hasManifest) {
                incomplete.add(folder);
                return;
            }
            try {
                backups.add(readManifest(folder + "/" + MANIFEST_FILE));
            } catch (IOException | RuntimeException e) {
                unreadable.add(folder);
            }
        });
        // ids have second precision: backups started in the same second are ordered by their exact start
        backups.sort(Comparator.comparing(BackupManifest::startedAt).thenComparing(BackupManifest::backupId).reversed());
        return new Catalog(backups, unreadable, incomplete);
    }

    /** The result of {@link #catalog()}. */
    public record Catalog(List<BackupManifest> backups, List<String> unreadable, List<String> incomplete) {
    }

    private BackupManifest readManifest(String key) throws IOException {
        try (InputStream in = storage.openRead(key)) {
            return RepositoryJson.read(in, BackupManifest.class);
        }
    }

    /**
     * Finds a complete backup by id, by {@code latest}, or by a unique id prefix.
     *
     * @throws ArcaException {@link ErrorCode#BACKUP_NOT_FOUND} when nothing matches
     */
    public BackupManifest resolve(String ref) {
        return find(ref).orElseThrow(() -> new ArcaException(ErrorCode.BACKUP_NOT_FOUND,
                ref.equals("latest") ? "no complete backup in '" + storage.url() + "'"
                        : "no backup '" + ref + "' in '" + storage.url() + "'",
                "list backups with 'arca list'"));
    }

    /** Like {@link #resolve} but empty when nothing matches. */
    public Optional<BackupManifest> find(String ref) {
        if (ref.equals("latest")) {
            return list().stream().filter(m -> !"safety".equals(m.labels().get("purpose"))).findFirst();
        }
        if (BackupId.isValid(ref)) {
            BackupId id = new BackupId(ref);
            String key = key(id, MANIFEST_FILE);
            if (storage.stat(key).isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(readManifest(key));
            } catch (IOException e) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "manifest of backup '" + ref + "' is unreadable: "
                        + e.getMessage(), "the backup cannot be used; restore another one", e);
            }
        }
        List<BackupManifest> matches = list().stream().filter(m -> m.backupId().startsWith(ref)).toList();
        if (matches.size() > 1) {
            throw new ArcaException(ErrorCode.USAGE, "backup id prefix '" + ref + "' matches " + matches.size() + " backups",
                    "give more of the id");
        }
        return matches.stream().findFirst();
    }

    /**
     * Deletes a complete backup: its manifest first, so that an interrupted removal leaves an
     * incomplete folder (never listed, removed by a later prune), never a listed backup with
     * missing artifacts.
     */
    public void remove(BackupId id) {
        storage.delete(key(id, MANIFEST_FILE));
        removeFolder(id.directory());
    }

    /** Deletes every object in a backup folder ({@code backups/YYYY/MM/DD/<id>}). */
    public void removeFolder(String folder) {
        if (!folder.startsWith(BACKUPS_PREFIX)) {
            throw new IllegalArgumentException("not a backup folder: " + folder);
        }
        for (ObjectInfo info : storage.list(folder + "/")) {
            storage.delete(info.key());
        }
    }

    /**
     * Reads the first byte of every artifact, so that a backup whose objects sit in an archive tier
     * fails before a restore starts, with {@link io.arca.core.storage.StorageArchivedException}
     * saying how to rehydrate, rather than midway inside a restore tool.
     */
    public void requireReadable(BackupManifest manifest) {
        for (ArtifactRecord artifact : manifest.artifacts()) {
            try (InputStream in = storage.openRead(key(manifest.id(), artifact.file()), new ReadRange(0, 1))) {
                in.read();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Opens an artifact's plain bytes; the stream verifies sizes and digests at its end. */
    public InputStream openArtifact(BackupManifest manifest, ArtifactRecord artifact) {
        return openArtifact(manifest.id(), artifact);
    }

    /** As {@link #openArtifact(BackupManifest, ArtifactRecord)}, for a backup not committed yet. */
    public InputStream openArtifact(BackupId backup, ArtifactRecord artifact) {
        return ArtifactInput.open(storage, key(backup, artifact.file()), codecOf(artifact), artifact.digest());
    }

    /** Opens the plain bytes of an artifact from a seek point, for {@code plainLength} bytes. */
    public InputStream openArtifactAt(BackupManifest manifest, ArtifactRecord artifact, SeekPoint from, long plainLength) {
        return ArtifactInput.openAt(storage, key(manifest.id(), artifact.file()), codecOf(artifact), from, plainLength);
    }

    /** The codec that turned an artifact's plain bytes into its stored bytes. */
    public static Codec codecOf(ArtifactRecord artifact) {
        if (artifact.codecs().isEmpty()) {
            return Codec.NONE;
        }
        if (artifact.codecs().size() > 1) {
            throw new ArcaException(ErrorCode.REPOSITORY_VERSION, "artifact '" + artifact.file() + "' uses codec chain "
                    + artifact.codecs() + " which this arca cannot read", "upgrade arca");
        }
        return CodecSpec.parse(artifact.codecs().get(0)).codec();
    }

    /** A backup being written: artifacts first, then the manifest as commit marker. */
    public final class PendingBackup {
        private final BackupId id;
        private final BackupKind kind;
        private final Instant startedAt;

        private PendingBackup(BackupId id, BackupKind kind, Instant startedAt) {
            this.id = id;
            this.kind = kind;
            this.startedAt = startedAt;
        }

        public BackupId id() {
            return id;
        }

        public BackupKind kind() {
            return kind;
        }

        public Instant startedAt() {
            return startedAt;
        }

        /** Starts an artifact file in this backup's folder; see {@link ArtifactOutput}. */
        public ArtifactOutput openArtifact(String file, CodecSpec codec) {
            return ArtifactOutput.open(storage.openWrite(key(id, file), WriteOptions.DEFAULT), codec);
        }

        /**
         * Writes the manifest: from now on the backup is complete and listed. The manifest gets this
         * backup's id, kind, repository id, start time and the finish time from the clock.
         */
        public BackupManifest commit(Map<String, String> labels, Map<String, String> tools,
                BackupManifest.DatabaseInfo database, List<ArtifactRecord> artifacts, Map<String, Long> timings) {
            BackupManifest manifest = new BackupManifest(RepositoryConfig.FORMAT_VERSION, id.value(),
                    config.repositoryId(), kind, startedAt, clock.instant(), labels, tools, database, artifacts, timings);
            try (StorageWriter w = storage.openWrite(key(id, MANIFEST_FILE), WriteOptions.ifAbsent())) {
                w.write(RepositoryJson.write(manifest));
                w.commit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return manifest;
        }

        /**
         * Removes whatever this backup wrote, for a backup that failed. Best effort and never
         * throws: leftovers without a manifest are never listed, and prune removes them later.
         */
        public void discard() {
            try {
                for (ObjectInfo info : storage.list(id.directory() + "/")) {
                    storage.delete(info.key());
                }
            } catch (RuntimeException ignored) {
                // The failure that led here is the one worth reporting.
            }
        }
    }
}

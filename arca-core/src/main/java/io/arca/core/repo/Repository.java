package io.arca.core.repo;

import io.arca.core.crypto.ArtifactEncryption;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.crypto.SeekableMessage;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactInput;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.Codec;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.pipeline.Decryption;
import io.arca.core.pipeline.SeekPoint;
import io.arca.core.repo.catalog.ObjectIndex;
import io.arca.core.storage.FolderListing;
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
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An Arca repository in a {@link Storage}: {@code arca.json}, backups with their manifests, and
 * the catalog of complete backups. A backup is complete once its manifest exists; the manifest is
 * written last, with an if-absent write, so an interrupted backup is never listed and never
 * becomes {@code latest}.
 *
 * <p>Encryption: a repository opened {@link #withKeys with keys} encrypts new artifacts to its
 * {@link EncryptionKeys} and reads encrypted ones with its {@link DecryptionKeys}. A repository
 * whose {@code arca.json} requires encryption refuses to begin a backup without matching keys.
 */
public final class Repository {
    /** Key of the repository descriptor. */
    public static final String CONFIG_KEY = "arca.json";
    /** File name of a backup's manifest inside its folder. */
    public static final String MANIFEST_FILE = "manifest.json";
    private static final String BACKUPS_PREFIX = "backups/";
    private static final String DRILLS_PREFIX = "drills/";
    /** Names of the catalog indexes ({@code catalog/<name>/}) of manifests and of drill evidence. */
    private static final String BACKUPS_INDEX = "backups";
    private static final String DRILLS_INDEX = "drills";
    /** Listings run at once when the catalog lists backup folders by day. */
    private static final int LISTERS = 16;
    /** Why {@code latest} found nothing when backups exist: safety and partial backups are never latest. */
    private static final String NOT_LATEST_HINT = "safety backups and partial backups (--table/--schema/--exclude-table)"
            + " are never 'latest': name one by its id (see 'arca list'), or take a full backup";

    private final Storage storage;
    private final RepositoryConfig config;
    private final Clock clock;
    private final Random random = new SecureRandom();
    private final EncryptionKeys encryptionKeys;
    private final DecryptionKeys decryptionKeys;
    /** Message layouts of encrypted artifacts read from seek points, by key. */
    private final Map<String, SeekableMessage.Layout> layouts = new ConcurrentHashMap<>();

    private Repository(Storage storage, RepositoryConfig config, Clock clock, EncryptionKeys encryptionKeys,
            DecryptionKeys decryptionKeys) {
        this.storage = storage;
        this.config = config;
        this.clock = clock;
        this.encryptionKeys = encryptionKeys;
        this.decryptionKeys = decryptionKeys;
    }

    private Repository(Storage storage, RepositoryConfig config, Clock clock) {
        this(storage, config, clock, null, null);
    }

    /** Creates a repository; refuses a location that already has one. */
    public static Repository init(Storage storage, RepositoryConfig.Defaults defaults, Clock clock) {
        return init(storage, defaults, null, clock);
    }

    /**
     * Creates a repository that requires every backup to be encrypted to {@code encryption}'s
     * recipients and passphrase (null: no requirement), recorded in {@code arca.json}.
     */
    public static Repository init(Storage storage, RepositoryConfig.Defaults defaults, EncryptionKeys encryption,
            Clock clock) {
        String id = UUID.randomUUID().toString();
        RepositoryConfig.Encryption required = null;
        if (encryption != null) {
            List<RepositoryConfig.Recipient> recipients = new ArrayList<>();
            for (int i = 0; i < encryption.fingerprints().size(); i++) {
                recipients.add(new RepositoryConfig.Recipient(encryption.fingerprints().get(i), encryption.userIds().get(i)));
            }
            required = new RepositoryConfig.Encryption(encryption.describe().cipher(), recipients,
                    encryption.passphraseCheck(id));
        }
        RepositoryConfig config = new RepositoryConfig(RepositoryConfig.FORMAT_VERSION, id, clock.instant(), defaults,
                required);
        try (StorageWriter w = storage.openWrite(CONFIG_KEY, WriteOptions.ifAbsent())) {
            w.write(RepositoryJson.write(config));
            w.commit();
        } catch (StorageAlreadyExistsException e) {
            throw alreadyExists(storage);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Repository(storage, config, clock, encryption, null);
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
        return new Repository(storage, updated, clock, encryptionKeys, decryptionKeys);
    }

    /**
     * This repository with keys: {@code encryption} for new artifacts and {@code decryption} for
     * reading encrypted ones (either may be null).
     */
    public Repository withKeys(EncryptionKeys encryption, DecryptionKeys decryption) {
        return new Repository(storage, config, clock, encryption, decryption);
    }

    public EncryptionKeys encryptionKeys() {
        return encryptionKeys;
    }

    public DecryptionKeys decryptionKeys() {
        return decryptionKeys;
    }

    /**
     * Checks that {@code keys} (null: none) satisfy what {@code arca.json} requires: exactly its
     * recipients, and its passphrase when it has one.
     *
     * @throws ArcaException KEY when they do not
     */
    public void requireEncryption(EncryptionKeys keys) {
        RepositoryConfig.Encryption required = config.encryption();
        if (required == null) {
            return;
        }
        String where = "repository '" + storage.url() + "'";
        if (keys == null) {
            List<String> ways = new ArrayList<>();
            if (!required.recipients().isEmpty()) {
                ways.add("--encrypt-to FILE (or ARCA_PUBLIC_KEY) with the public key of "
                        + String.join(", ", required.fingerprints()));
            }
            if (required.passphrase()) {
                ways.add("--passphrase-file FILE (or ARCA_PASSPHRASE)");
            }
            throw new ArcaException(ErrorCode.KEY, where + " requires encrypted backups and no key was given",
                    "give " + String.join(" and ", ways));
        }
        Set<String> wanted = new LinkedHashSet<>(required.fingerprints());
        Set<String> given = new LinkedHashSet<>(keys.fingerprints());
        for (String fpr : given) {
            if (!wanted.contains(fpr)) {
                throw new ArcaException(ErrorCode.KEY, "public key " + fpr + " is not a recipient of " + where
                        + (wanted.isEmpty() ? " (it uses a passphrase only)" : " (" + String.join(", ", wanted) + ")"),
                        "give the public keys recorded in its arca.json, and no other");
            }
        }
        for (String fpr : wanted) {
            if (!given.contains(fpr)) {
                throw new ArcaException(ErrorCode.KEY, where + " requires backups encrypted to " + fpr
                        + ", and that public key was not given", "add --encrypt-to with that key's file (or put it in ARCA_PUBLIC_KEY)");
            }
        }
        if (required.passphrase() && !keys.passphraseMatches(required.passphraseCheck(), config.repositoryId())) {
            throw new ArcaException(ErrorCode.KEY, keys.hasPassphrase() ? "the passphrase given is not the passphrase of "
                    + where : where + " requires backups encrypted with its passphrase and none was given",
                    "give the repository's passphrase with --passphrase-file FILE (or ARCA_PASSPHRASE)");
        }
        if (!required.passphrase() && keys.hasPassphrase()) {
            throw new ArcaException(ErrorCode.KEY, where + " encrypts to public keys only, and a passphrase was given",
                    "leave out --passphrase-file / ARCA_PASSPHRASE when backing up into it");
        }
    }

    /**
     * Whether an artifact encrypted as {@code encryption} (null: not at all) meets this repository's
     * requirement: encrypted to every required recipient, and with a passphrase when one is required.
     */
    public boolean accepts(ArtifactEncryption encryption) {
        RepositoryConfig.Encryption required = config.encryption();
        if (required == null) {
            return true;
        }
        return encryption != null && encryption.recipients().containsAll(required.fingerprints())
                && (!required.passphrase() || encryption.passphrase());
    }

    public Clock clock() {
        return clock;
    }

    /** The compression codec configured as default for this repository. */
    public CodecSpec defaultCodec() {
        String c = config.defaults() == null ? null : config.defaults().compression();
        return c == null ? CodecSpec.defaults() : CodecSpec.parse(c);
    }

    /**
     * Starts a new backup. Nothing is listed until {@link PendingBackup#commit} writes the manifest.
     *
     * @throws ArcaException KEY when the repository requires encryption that this repository's keys
     *     do not give (see {@link #requireEncryption})
     */
    public PendingBackup begin() {
        requireEncryption(encryptionKeys);
        Instant start = clock.instant();
        return new PendingBackup(BackupId.generate(start, random), start);
    }


    /** The key of a file inside a backup's folder. */
    public static String key(BackupId id, String file) {
        return id.directory() + "/" + file;
    }

    /** Complete backups, newest first. Damaged backups are left out (see {@link #catalog()}). */
    public List<BackupManifest> list() {
        return catalog().backups();
    }

    /**
     * Every backup folder, {@code backups/YYYY/MM/DD/<id>} (deeper objects belong to the folder:
     * a directory-format dump keeps its files in a sub-folder): complete backups (newest first),
     * damaged ones (a manifest that cannot be read or breaks the rules of {@link ManifestRules}:
     * never listed, never {@code latest}, never removed by prune), and incomplete folders (no
     * manifest; interrupted backups, or removed since the listing).
     *
     * <p>One listing of {@code backups/} says what exists; the manifests' content comes from the
     * catalog index ({@link ObjectIndex}, {@code catalog/backups/}) where its copy has the listed
     * size and time, else from the manifests themselves, 16 at a time. The index is never trusted
     * over the manifests, and this call keeps it up to date (best effort).
     */
    public Catalog catalog() {
        Set<String> folders = new TreeSet<>();
        Map<String, ObjectInfo> manifests = new TreeMap<>();
        for (ObjectInfo info : listBackups()) {
            String folder = backupFolder(info.key());
            if (folder != null) {
                folders.add(folder);
                if (info.key().equals(folder + "/" + MANIFEST_FILE)) {
                    manifests.put(folder, info);
                }
            }
        }
        Map<String, ManifestRead> reads = index(BACKUPS_INDEX).read(new ArrayList<>(manifests.values()),
                List.of(BACKUPS_PREFIX), (key, content) -> {
                    ManifestRead read = parseManifest(key.substring(0, key.length() - MANIFEST_FILE.length() - 1),
                            content);
                    return new ObjectIndex.Parsed<>(read, read.manifest() != null);
                });
        List<BackupManifest> backups = new ArrayList<>();
        List<Damaged> damaged = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        for (String folder : folders) {
            ObjectInfo manifest = manifests.get(folder);
            ManifestRead read = manifest == null ? null : reads.get(manifest.key());
            if (read == null) {
                incomplete.add(folder);
            } else if (read.manifest() != null) {
                backups.add(read.manifest());
            } else {
                damaged.add(read.damaged());
            }
        }
        // ids have second precision: backups started in the same second are ordered by their exact start
        backups.sort(Comparator.comparing(BackupManifest::startedAt).thenComparing(BackupManifest::backupId).reversed());
        return new Catalog(backups, damaged, incomplete);
    }

    /**
     * Every object below {@code backups/} that lies in a backup folder ({@code backups/Y/M/D/F/...}).
     * A store that lists by folder ({@link FolderListing}) is listed level by level down to the day
     * folders, and those all at once: one long listing pages through every artifact in sequence
     * (and s3proxy walks the whole tree again for each page). Any other store is listed whole.
     */
    private List<ObjectInfo> listBackups() {
        try {
            // backups/, the years, the months: then the day folders, all at once
            return FolderListing.listAll(storage, BACKUPS_PREFIX, 3, LISTERS);
        } catch (io.arca.core.storage.StorageTransientException e) {
            // folder listings bypass the store's retry wrapper: the plain listing retries
            return storage.list(BACKUPS_PREFIX);
        }
    }

    /** The catalog index {@code catalog/<name>/} of this repository. */
    private ObjectIndex index(String name) {
        return new ObjectIndex(storage, name, clock);
    }

    /** The backup folder ({@code backups/YYYY/MM/DD/<name>}) that holds {@code key}, or null for a key outside any. */
    private static String backupFolder(String key) {
        int end = -1;
        for (int i = 0; i < 5; i++) {
            end = key.indexOf('/', end + 1);
            if (end < 0) {
                return null;
            }
        }
        return key.substring(0, end);
    }

    /**
     * The result of {@link #catalog()}.
     *
     * @param backups complete backups, newest first
     * @param damaged backups whose manifest cannot be trusted
     * @param incomplete folders without a manifest
     */
    public record Catalog(List<BackupManifest> backups, List<Damaged> damaged, List<String> incomplete) {
        /** The folders of the damaged backups. */
        public List<String> unreadable() {
            return damaged.stream().map(Damaged::folder).toList();
        }
    }

    /**
     * A backup folder whose manifest cannot be trusted.
     *
     * @param folder the backup's folder
     * @param problem what is wrong, a lowercase phrase
     * @param newerFormat whether the manifest is only newer than this Arca reads (upgrade, rather than damage)
     */
    public record Damaged(String folder, String problem, boolean newerFormat) {
        /** The backup id the folder is named by, or null when its name is not one. */
        public String id() {
            String name = folder.substring(folder.lastIndexOf('/') + 1);
            return BackupId.isValid(name) && new BackupId(name).directory().equals(folder) ? name : null;
        }
    }

    /** A manifest read from a folder: the manifest when it can be trusted, else what is wrong with it. */
    private record ManifestRead(BackupManifest manifest, Damaged damaged) {
    }

    private ManifestRead readManifest(String folder) {
        byte[] content;
        try (InputStream in = storage.openRead(folder + "/" + MANIFEST_FILE)) {
            content = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the manifest of '" + folder + "': " + e.getMessage(), e);
        }
        return parseManifest(folder, content);
    }

    private static ManifestRead parseManifest(String folder, byte[] content) {
        BackupManifest m;
        try {
            m = ManifestFormat.read(content);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ArcaException ae && ae.code() != ErrorCode.VERIFICATION_FAILED) {
                throw ae;
            }
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            return new ManifestRead(null, new Damaged(folder, "manifest cannot be read: " + why, false));
        }
        String problem = ManifestRules.problem(m, folder);
        return problem == null ? new ManifestRead(m, null)
                : new ManifestRead(null, new Damaged(folder, problem, ManifestRules.newerFormat(m)));
    }

    /**
     * The manifest of backup {@code id}: empty when its folder has no manifest.
     *
     * @throws ArcaException VERIFICATION_FAILED when the manifest cannot be trusted (REPOSITORY_VERSION
     *     when it is only newer than this Arca reads)
     */
    Optional<BackupManifest> readChecked(BackupId id) {
        if (storage.stat(key(id, MANIFEST_FILE)).isEmpty()) {
            return Optional.empty();
        }
        ManifestRead read = readManifest(id.directory());
        if (read.manifest() == null) {
            throw damagedError(read.damaged(), "backup '" + id + "' is damaged: " + read.damaged().problem(),
                    "list backups with 'arca list' and restore another one");
        }
        return Optional.of(read.manifest());
    }

    ArcaException damagedError(Damaged d, String message, String hint) {
        return d.newerFormat() ? new ArcaException(ErrorCode.REPOSITORY_VERSION, message, "upgrade arca")
                : new ArcaException(ErrorCode.VERIFICATION_FAILED, message, hint);
    }

    /** Whether every artifact of {@code m} has the stored size and SHA-256 its manifest records (reads them whole). */
    boolean storedIntact(BackupManifest m) {
        try {
            for (ArtifactRecord a : m.artifacts()) {
                verifyStored(m, a);
            }
            return true;
        } catch (ArcaException e) {
            if (e.code() == ErrorCode.VERIFICATION_FAILED || e.code() == ErrorCode.STORAGE_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /**
     * {@code failure} of using backup {@code damaged}, with a hint naming the newest older backup of
     * the same kind whose stored files match their manifest, when {@code failure} says the backup is
     * damaged (VERIFICATION_FAILED); any other failure is returned as it is.
     */
    public ArcaException namingNewestIntact(ArcaException failure, BackupManifest damaged) {
        if (failure.code() != ErrorCode.VERIFICATION_FAILED) {
            return failure;
        }
        return newestIntactBefore(damaged).map(older -> new ArcaException(failure.code(), failure.getMessage(),
                (failure.hint() == null ? "" : failure.hint() + "; ") + "the newest backup before '"
                        + damaged.backupId() + "' that verifies is '" + older.backupId() + "'", failure)).orElse(failure);
    }

    /**
     * The newest backup started before {@code m}, of its kind and not a safety backup, whose stored
     * files have the size and SHA-256 of their manifest (reads them whole, newest first).
     */
    public Optional<BackupManifest> newestIntactBefore(BackupManifest m) {
        return list().stream().filter(older -> older.startedAt().isBefore(m.startedAt()) && older.series().equals(m.series())
                && latestCandidate(older)).filter(this::storedIntact).findFirst();
    }

    /** Which complete backups {@code latest} may select (when no kind is asked for). */
    private static boolean latestCandidate(BackupManifest m) {
        return !m.safety() && m.full();
    }

    /**
     * Finds a complete backup by id, by a unique id prefix, by {@code latest}, or by
     * {@code latest~N} (the N-th before the newest).
     *
     * @throws ArcaException {@link ErrorCode#BACKUP_NOT_FOUND} when nothing matches;
     *     {@link ErrorCode#VERIFICATION_FAILED} when the backup selected is damaged (for {@code latest},
     *     the message names the newest backup that verifies)
     */
    public BackupManifest resolve(String ref) {
        return find(ref).orElseThrow(() -> notFound(ref, "backup", null));
    }

    private ArcaException notFound(String ref, String what, Instant before) {
        String when = before == null ? "" : " started before " + before;
        if (ref.equals("latest")) {
            return new ArcaException(ErrorCode.BACKUP_NOT_FOUND, "no complete " + what + when + " in '" + storage.url()
                    + "'", NOT_LATEST_HINT);
        }
        return new ArcaException(ErrorCode.BACKUP_NOT_FOUND, BackupSelector.relative(ref)
                ? "no complete " + what + " '" + ref + "'" + when + " in '" + storage.url() + "'"
                : "no backup '" + ref + "' in '" + storage.url() + "'", "list backups with 'arca list'");
    }

    /**
     * {@link #resolve} for commands that need backups holding something: {@code latest} and
     * {@code latest~N} count only the full, non-safety backups that {@code holds} accepts (and that
     * started before {@code before}, when not null); an id names any backup, and the caller checks
     * what it holds.
     *
     * @param what what the backups hold, for the message when none does ({@code backup with files})
     */
    public BackupManifest resolve(String ref, java.util.function.Predicate<BackupManifest> holds, String what,
            Instant before) {
        if (BackupSelector.relative(ref)) {
            return new BackupSelector(this).find(ref, m -> holds.test(m) && latestCandidate(m), before)
                    .orElseThrow(() -> {
                        List<BackupManifest> all = list();
                        return all.isEmpty() || all.stream().anyMatch(holds) ? notFound(ref, what, before)
                                : new ArcaException(ErrorCode.BACKUP_NOT_FOUND, "no complete " + what + " in '"
                                        + storage.url() + "'", "no backup holds it: list what each backup holds with"
                                        + " 'arca list'");
                    });
        }
        return new BackupSelector(this).find(ref, m -> true, before).orElseThrow(() -> notFound(ref, "backup", before));
    }

    /** Like {@link #resolve} but empty when nothing matches (a damaged backup still throws). */
    public Optional<BackupManifest> find(String ref) {
        return new BackupSelector(this).find(ref, Repository::latestCandidate, null);
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
            if (artifact.encrypted()) {
                // reads the start of the message: also fails early when no key given opens it
                layout(key(manifest.id(), artifact.file()), artifact);
                continue;
            }
            readFirstByte(manifest, artifact);
        }
    }

    /**
     * {@link #requireReadable} for reading artifacts as stored, without decrypting them (a copy):
     * reads the first stored byte of every artifact, whatever keys this repository has.
     */
    public void requireStoredReadable(BackupManifest manifest) {
        for (ArtifactRecord artifact : manifest.artifacts()) {
            readFirstByte(manifest, artifact);
        }
    }

    private void readFirstByte(BackupManifest manifest, ArtifactRecord artifact) {
        try (InputStream in = storage.openRead(key(manifest.id(), artifact.file()), new ReadRange(0, 1))) {
            in.read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens an artifact's plain bytes; the stream verifies sizes and digests at its end. */
    public InputStream openArtifact(BackupManifest manifest, ArtifactRecord artifact) {
        return openArtifact(manifest.id(), artifact);
    }

    /** As {@link #openArtifact(BackupManifest, ArtifactRecord)}, for a backup not committed yet. */
    public InputStream openArtifact(BackupId backup, ArtifactRecord artifact) {
        return ArtifactInput.open(storage, key(backup, artifact.file()), codecOf(artifact), artifact.digest(),
                artifact.encrypted() ? new Decryption(requireDecryptionKeys(artifact), artifact.encryption(), null) : null);
    }

    /**
     * Opens an artifact for reading in parts from its seek points (parallel and selective
     * restores). Reading in parts checks no whole-file digest, so the returned reader checks the
     * stored size and SHA-256 in the background; callers apply nothing as good before its
     * {@link ArtifactParts#finish()} returned. With {@link #openArtifact}, the only ways to read
     * an artifact's bytes: every path that applies a backup is checked against its manifest.
     */
    public ArtifactParts openParts(BackupManifest manifest, ArtifactRecord artifact) {
        return new ArtifactParts(this, manifest, artifact);
    }

    /**
     * Opens the plain bytes of an artifact from a seek point, for {@code plainLength} bytes. For an
     * encrypted artifact and a seek point past its start, {@link #seekable} must have said yes.
     * Unchecked: only through {@link ArtifactParts}.
     */
    InputStream openArtifactAt(BackupManifest manifest, ArtifactRecord artifact, SeekPoint from, long plainLength) {
        String key = key(manifest.id(), artifact.file());
        Decryption decryption = null;
        if (artifact.encrypted()) {
            SeekableMessage message = from.encodedOffset() == 0 ? null
                    : layout(key, artifact) instanceof SeekableMessage.Seekable s ? s.message() : null;
            decryption = new Decryption(requireDecryptionKeys(artifact), artifact.encryption(), message);
        }
        return ArtifactInput.openAt(storage, key, codecOf(artifact), from, plainLength, decryption);
    }

    /**
     * Whether an artifact can be read from its seek points: always when it is not encrypted; when
     * it is, if its OpenPGP message has the layout Arca writes (one written by {@code gpg} is read
     * from its start only). Reads the start of an encrypted artifact, so key problems show here.
     *
     * @throws ArcaException KEY when no key given opens the artifact
     */
    public boolean seekable(BackupManifest manifest, ArtifactRecord artifact) {
        return !artifact.encrypted()
                || layout(key(manifest.id(), artifact.file()), artifact) instanceof SeekableMessage.Seekable;
    }

    private SeekableMessage.Layout layout(String key, ArtifactRecord artifact) {
        DecryptionKeys keys = requireDecryptionKeys(artifact);
        return layouts.computeIfAbsent(key, k -> {
            int length = (int) Math.min(SeekableMessage.HEAD, artifact.storedSize());
            byte[] head = new byte[length];
            try (InputStream in = storage.openRead(k, new ReadRange(0, length))) {
                int n = in.readNBytes(head, 0, length);
                return SeekableMessage.read(head, n, keys, k, artifact.encryption());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private DecryptionKeys requireDecryptionKeys(ArtifactRecord artifact) {
        if (decryptionKeys == null) {
            ArtifactEncryption e = artifact.encryption();
            boolean withKey = !e.recipients().isEmpty();
            throw new ArcaException(ErrorCode.KEY, "artifact '" + artifact.file() + "' is encrypted and needs " + e.needs()
                    + ", which was not given", "give " + (withKey ? "--private-key FILE (or ARCA_PRIVATE_KEY)" : "")
                    + (withKey && e.passphrase() ? ", or " : "")
                    + (e.passphrase() ? "--passphrase-file FILE (or ARCA_PASSPHRASE)" : ""));
        }
        return decryptionKeys;
    }

    /**
     * Checks an artifact as stored, without any key: reads it whole and compares its size and
     * SHA-256 with the manifest.
     *
     * @throws ArcaException VERIFICATION_FAILED when they differ
     */
    public void verifyStored(BackupManifest manifest, ArtifactRecord artifact) {
        BackupCopy.verifyStored(this, key(manifest.id(), artifact.file()), artifact);
    }

    /**
     * The rule every read of a backup applies (see {@code docs/repository-format.md}): the stored
     * bytes have exactly the size and SHA-256 the manifest records. Returns the VERIFICATION_FAILED
     * error naming the artifact when {@code size} and {@code sha256} (lowercase hex) break it, else null.
     */
    static ArcaException storedMismatch(ArtifactRecord artifact, long size, String sha256) {
        String problem = size != artifact.storedSize() ? "stored size is " + size + " bytes, the manifest says "
                + artifact.storedSize()
                : !sha256.equalsIgnoreCase(artifact.storedSha256()) ? "stored sha-256 does not match the manifest" : null;
        return problem == null ? null : new ArcaException(ErrorCode.VERIFICATION_FAILED, "artifact '" + artifact.file()
                + "' is corrupt: " + problem, "the backup cannot be trusted; restore an older backup with 'arca restore <id>'");
    }

    /** The codec that turned an artifact's plain bytes into its stored bytes (before any encryption). */
    public static Codec codecOf(ArtifactRecord artifact) {
        if (artifact.codecs().isEmpty()) {
            return Codec.NONE;
        }
        boolean encryptedLast = artifact.encrypted() && artifact.codecs().size() == 2
                && ArtifactEncryption.FORMAT.equals(artifact.codecs().get(1));
        if (artifact.codecs().size() > 1 && !encryptedLast) {
            throw new ArcaException(ErrorCode.REPOSITORY_VERSION, "artifact '" + artifact.file() + "' uses codec chain "
                    + artifact.codecs() + " which this arca cannot read", "upgrade arca");
        }
        return CodecSpec.parse(artifact.codecs().get(0)).codec();
    }

    /** The job history: run records and their summaries. */
    public io.arca.core.repo.run.RunLog runs() {
        return new io.arca.core.repo.run.RunLog(storage, clock);
    }

    /** A new id for a drill starting now (the same form as a backup id). */
    public BackupId newDrillId() {
        return BackupId.generate(clock.instant(), random);
    }

    /** The key of a drill's evidence: {@code drills/YYYY/MM/DD/<drill-id>.json}. */
    public static String drillKey(BackupId drillId) {
        String v = drillId.value();
        return DRILLS_PREFIX + v.substring(0, 4) + "/" + v.substring(4, 6) + "/" + v.substring(6, 8) + "/" + v + ".json";
    }

    /** Writes a drill's evidence (if-absent: evidence is never rewritten) and returns its key. */
    public String writeDrill(DrillRecord drill) {
        String key = drillKey(drill.id());
        try (StorageWriter w = storage.openWrite(key, WriteOptions.ifAbsent())) {
            w.write(RepositoryJson.write(drill));
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return key;
    }

    /**
     * Every drill's evidence, newest first; files that cannot be read are skipped. Read through the
     * catalog index {@code catalog/drills/} (see {@link #catalog()}).
     */
    public List<DrillRecord> drills() {
        List<ObjectInfo> files = new ArrayList<>();
        for (ObjectInfo info : storage.list(DRILLS_PREFIX)) {
            if (info.key().endsWith(".json")) {
                files.add(info);
            }
        }
        List<DrillRecord> drills = new ArrayList<>(index(DRILLS_INDEX).read(files, List.of(DRILLS_PREFIX),
                (key, content) -> {
                    try {
                        return new ObjectIndex.Parsed<>(RepositoryJson.mapper().readValue(content, DrillRecord.class),
                                true);
                    } catch (IOException | RuntimeException e) {
                        // a damaged evidence file hides one drill, never the rest
                        return new ObjectIndex.Parsed<DrillRecord>(null, false);
                    }
                }).values());
        drills.sort(Comparator.comparing(DrillRecord::startedAt).thenComparing(DrillRecord::drillId).reversed());
        return drills;
    }

    /** A backup being written: artifacts first, then the manifest as commit marker. */
    public final class PendingBackup {
        private final BackupId id;
        private final Instant startedAt;

        private PendingBackup(BackupId id, Instant startedAt) {
            this.id = id;
            this.startedAt = startedAt;
        }

        public BackupId id() {
            return id;
        }

        public Instant startedAt() {
            return startedAt;
        }

        /**
         * Starts the artifact {@code name} in this backup's folder (see {@link ArtifactOutput}): its
         * file is the name plus the codec's suffix, plus {@code .gpg} when the repository's keys
         * encrypt it.
         */
        public ArtifactOutput openArtifact(String name, CodecSpec codec) {
            String file = name + codec.codec().extension()
                    + (encryptionKeys == null ? "" : ArtifactOutput.ENCRYPTED_SUFFIX);
            return ArtifactOutput.open(storage.openWrite(key(id, file), WriteOptions.DEFAULT), file, codec,
                    encryptionKeys, Date.from(startedAt));
        }

        /**
         * Writes the manifest (if-absent): from now on the backup is complete and listed. It gets
         * this backup's id, the repository id, the start time, the finish time from the clock and
         * the encryption requirement of {@code arca.json}.
         */
        public BackupManifest commit(BackupManifest.Builder content) {
            BackupManifest manifest = content.build(id.value(), config.repositoryId(), startedAt, clock.instant(),
                    BackupManifest.RequiredEncryption.of(config.encryption()));
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

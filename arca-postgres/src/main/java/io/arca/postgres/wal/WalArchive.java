package io.arca.postgres.wal;

import io.arca.core.TempFiles;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactInput;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.Codec;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.pipeline.Decryption;
import io.arca.core.pipeline.Sha256;
import io.arca.core.repo.Repository;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.WriteOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * The WAL archive of a repository: {@code wal/<system-id>/<timeline>/<file>-<sha256>.<ext>[.gpg]}.
 * Each file is compressed with the repository's codec (and encrypted with its keys), and its name
 * carries the SHA-256 of its plain bytes, as pgBackRest's archive does: a reader finds a file by
 * listing its name as a prefix and checks what it decoded against that digest. Pushing a file that
 * is archived with the same content is accepted (PostgreSQL retries archiving after crashes);
 * with other content it is refused. Segments are checked to belong to the expected cluster (the
 * system identifier in their first page header).
 *
 * <p>Partial segments ({@code ….partial}: the unfinished segment a WAL receiver stored when it
 * stopped, or the last segment of a timeline that PostgreSQL archives on promotion) are not
 * final: a newer partial of the same segment replaces the stored one (see {@link #pushPartial}),
 * and archiving the complete segment removes its partials.
 */
public final class WalArchive {
    /** Where the archive lives in a repository. */
    public static final String PREFIX = "wal/";
    /**
     * Where {@code wal-fetch} keeps prefetched segments by default, relative to the data
     * directory: inside {@code pg_wal}, which base backups leave out and which belongs to the user
     * that runs recovery.
     */
    public static final String DEFAULT_SPOOL = "pg_wal/arca-spool";
    /** The temp directory of the {@code wal-fetch} that {@code restore --physical} writes, relative to the data directory. */
    public static final String FETCH_TEMP = "pg_wal/arca-tmp";
    /** Offset of {@code xlp_sysid} in a segment's first (long) page header. */
    private static final int SYSID_OFFSET = 24;
    private static final int BUFFER = 1 << 20;
    /** PostgreSQL's WAL segment size unless initdb was told otherwise. */
    public static final long DEFAULT_SEGMENT_SIZE = 16L << 20;
    private static final String PARTIAL_SUFFIX = ".partial";

    private final Repository repository;
    private final Storage storage;
    private final CodecSpec codec;

    public WalArchive(Repository repository, CodecSpec codec) {
        this.repository = repository;
        this.storage = repository.storage();
        this.codec = codec;
    }

    /**
     * How WAL is compressed when nobody says otherwise: {@link CodecSpec#forServerData()} of the
     * repository's codec, on the calling thread (callers push several segments at once).
     */
    public static CodecSpec defaultCodec(CodecSpec repositoryCodec) {
        return repositoryCodec.forServerData().withWorkers(1);
    }

    /** What a push did. */
    public enum Pushed { ARCHIVED, ALREADY_ARCHIVED }

    /**
     * One archived file, as {@link #list} reads it from its key.
     *
     * @param name the WAL file name
     * @param key its storage key
     * @param sha256 the SHA-256 of its plain content (the one its key names)
     */
    public record Archived(WalFileName name, String key, String sha256) {
    }

    /** The folder of one cluster's timeline: {@code wal/<system-id>/<timeline>/}. */
    public static String folder(long systemId, TimelineId timeline) {
        return PREFIX + Long.toUnsignedString(systemId) + "/" + timeline.hex() + "/";
    }

    /**
     * Archives {@code file} as {@code name} of cluster {@code systemId}.
     *
     * @throws ArcaException WAL_SYSTEM_MISMATCH for a segment of another cluster, WAL_CONFLICT when
     *     the name is archived with other content
     */
    public Pushed push(long systemId, WalFileName name, Path file) {
        if (name.kind() == WalFileName.Kind.PARTIAL) {
            // not final: a partial replaces an earlier one (PostgreSQL archives one on promotion,
            // a WAL receiver stores one when it stops; their content differs past the end of the WAL)
            return pushPartial(systemId, name, file);
        }
        if (name.kind() != WalFileName.Kind.TIMELINE_HISTORY && name.kind() != WalFileName.Kind.BACKUP_HISTORY) {
            requireSystem(name, file, systemId);
        }
        // a segment is read once: hashed, then compressed from memory
        Content content = readIfSmall(file);
        String sha256 = content != null ? content.sha256() : sha256(file);
        List<ObjectInfo> partials = List.of();
        Optional<String> existing;
        if (name.kind() == WalFileName.Kind.SEGMENT) {
            // one listing finds the segment and its partials ({@code <name>-…} and {@code <name>.partial-…})
            List<ObjectInfo> related = storage.list(folder(systemId, name.timeline()) + name.name());
            List<ObjectInfo> complete = related.stream().filter(o -> fileOf(o.key()).startsWith(name.name() + "-")).toList();
            partials = related.stream().filter(o -> fileOf(o.key()).startsWith(name.name() + PARTIAL_SUFFIX + "-")).toList();
            if (complete.size() > 1) {
                throw archivedTwice(name, complete.size());
            }
            existing = complete.stream().map(ObjectInfo::key).findFirst();
        } else {
            existing = find(systemId, name);
        }
        if (existing.isPresent()) {
            if (sha256Of(existing.get(), name).equals(sha256)) {
                deleteQuietly(partials);
                return Pushed.ALREADY_ARCHIVED;
            }
            throw conflict(name, existing.get());
        }
        Pushed pushed = write(systemId, name, file, sha256, content);
        deleteQuietly(partials);
        return pushed;
    }

    /**
     * Archives {@code file} as the partial segment {@code partial} ({@code <segment>.partial}) of
     * cluster {@code systemId}, replacing the partial of that segment stored before: the new key is
     * written first, then the older partials are deleted, so that a reader always finds one. A
     * partial with the content of the stored one is {@link Pushed#ALREADY_ARCHIVED}; so is one of a
     * segment that is archived complete (the partial would only hold less of it).
     *
     * @throws IllegalArgumentException when {@code partial} is not a partial segment name
     * @throws ArcaException WAL_SYSTEM_MISMATCH for a segment of another cluster
     */
    public Pushed pushPartial(long systemId, WalFileName partial, Path file) {
        if (partial.kind() != WalFileName.Kind.PARTIAL) {
            throw new IllegalArgumentException("'" + partial + "' is not a partial segment name");
        }
        requireSystem(partial, file, systemId);
        String segment = partial.name().substring(0, partial.name().length() - PARTIAL_SUFFIX.length());
        List<ObjectInfo> related = storage.list(folder(systemId, partial.timeline()) + segment);
        List<ObjectInfo> older = related.stream()
                .filter(o -> fileOf(o.key()).startsWith(partial.name() + "-")).toList();
        if (related.stream().anyMatch(o -> fileOf(o.key()).startsWith(segment + "-"))) {
            deleteQuietly(older);
            return Pushed.ALREADY_ARCHIVED;
        }
        String sha256 = sha256(file);
        Optional<ObjectInfo> same = older.stream().filter(o -> sha256Of(o.key(), partial).equals(sha256)).findFirst();
        if (same.isPresent()) {
            deleteQuietly(older.stream().filter(o -> o != same.get()).toList());
            return Pushed.ALREADY_ARCHIVED;
        }
        Pushed pushed = write(systemId, partial, file, sha256, null);
        deleteQuietly(older);
        return pushed;
    }

    /**
     * Every file archived for cluster {@code systemId}, over all timelines, read from one listing
     * of {@code wal/<system-id>/}: sorted by timeline, then by name (so a segment comes before its
     * partial and backup history files, and segments in WAL order). Keys that are not archived WAL
     * files are left out. Segment numbers assume {@link #DEFAULT_SEGMENT_SIZE}; see {@link
     * #list(long, long)}.
     */
    public List<Archived> list(long systemId) {
        return list(systemId, DEFAULT_SEGMENT_SIZE);
    }

    /** As {@link #list(long)}, with segment numbers for segments of {@code segmentSize} bytes. */
    public List<Archived> list(long systemId, long segmentSize) {
        String prefix = PREFIX + Long.toUnsignedString(systemId) + "/";
        List<Archived> out = new ArrayList<>();
        for (ObjectInfo o : storage.list(prefix)) {
            Archived a = parseKey(o.key(), prefix.length(), segmentSize);
            if (a != null) {
                out.add(a);
            }
        }
        out.sort(Comparator.comparing((Archived a) -> a.name().timeline()).thenComparing(a -> a.name().name()));
        return out;
    }

    /** {@code <timeline>/<file>-<sha256>.<ext>[.gpg]} after {@code wal/<system-id>/}; null for anything else. */
    private static Archived parseKey(String key, int from, long segmentSize) {
        String rest = key.substring(from);
        int slash = rest.indexOf('/');
        if (slash != 8 || rest.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        String file = rest.substring(slash + 1);
        int dash = file.indexOf('-');
        if (dash <= 0 || file.length() < dash + 65 || !file.substring(dash + 1, dash + 65).matches("[0-9a-f]{64}")) {
            return null;
        }
        try {
            WalFileName name = WalFileName.parse(file.substring(0, dash), segmentSize);
            if (!name.timeline().hex().equals(rest.substring(0, slash))) {
                return null;
            }
            return new Archived(name, key, file.substring(dash + 1, dash + 65));
        } catch (IllegalArgumentException notWal) {
            return null;
        }
    }

    /** {@code content}: the file's bytes when read already, else null. */
    private Pushed write(long systemId, WalFileName name, Path file, String sha256, Content content) {
        EncryptionKeys keys = repository.encryptionKeys();
        String file0 = name.name() + "-" + sha256 + codec.codec().extension()
                + (keys == null ? "" : ArtifactOutput.ENCRYPTED_SUFFIX);
        String key = folder(systemId, name.timeline()) + file0;
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(key, WriteOptions.ifAbsent()), file0, codec, keys,
                new Date(Files.getLastModifiedTime(file).toMillis())).withoutPlainDigest();
                InputStream in = content != null ? content.stream() : Files.newInputStream(file)) {
            // the name holds the plain SHA-256 (taken above), which every fetch checks
            in.transferTo(out);
            out.finish();
        } catch (StorageAlreadyExistsException e) {
            // another pusher of the same content won the race
            return Pushed.ALREADY_ARCHIVED;
        } catch (IOException e) {
            throw new UncheckedIOException("archiving '" + file + "': " + e.getMessage(), e);
        }
        return Pushed.ARCHIVED;
    }

    /** Best effort: a partial left behind is only clutter, found and replaced by the next push. */
    private void deleteQuietly(List<ObjectInfo> objects) {
        for (ObjectInfo o : objects) {
            try {
                storage.delete(o.key());
            } catch (RuntimeException e) {
                // left for the next push of this segment
            }
        }
    }

    private static String fileOf(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /**
     * Restores {@code name} of cluster {@code systemId} to {@code target} (written beside it and
     * moved into place, so PostgreSQL never sees half a file). Checks the plain SHA-256 its key
     * names and, for segments, the system identifier.
     *
     * @return false when the archive does not hold it (PostgreSQL then tries other sources)
     */
    public boolean fetch(long systemId, WalFileName name, Path target) {
        Optional<String> found = find(systemId, name);
        if (found.isEmpty()) {
            return false;
        }
        Path partial = target.resolveSibling(target.getFileName() + ".arca-partial");
        OutputStream out;
        try {
            out = Files.newOutputStream(partial);
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot write the WAL file to '" + target + "': " + e,
                    "check the path PostgreSQL passed (%p) and --pgdata");
        }
        try {
            try (out) {
                readChecked(systemId, name, found.get(), out);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing '" + target + "': " + e.getMessage(), e);
        } finally {
            TempFiles.deleteQuietly(partial);
        }
        return true;
    }

    /**
     * Reads {@code name} of cluster {@code systemId} through every check {@link #fetch} makes
     * (decoding, the SHA-256 its name records, the system identifier of a segment) and keeps
     * nothing: for {@code arca verify}.
     *
     * @return false when the archive does not hold it
     * @throws ArcaException VERIFICATION_FAILED or WAL_SYSTEM_MISMATCH as {@link #fetch}
     */
    public boolean verify(long systemId, WalFileName name) {
        Optional<String> found = find(systemId, name);
        if (found.isEmpty()) {
            return false;
        }
        readChecked(systemId, name, found.get(), OutputStream.nullOutputStream());
        return true;
    }

    /** Decodes the archived file {@code key} into {@code out}, then checks its SHA-256 and (segments) its system. */
    private void readChecked(long systemId, WalFileName name, String key, OutputStream out) {
        String stored = key.substring(key.lastIndexOf('/') + 1);
        boolean encrypted = stored.endsWith(ArtifactOutput.ENCRYPTED_SUFFIX);
        String base = encrypted ? stored.substring(0, stored.length() - ArtifactOutput.ENCRYPTED_SUFFIX.length()) : stored;
        String expected = sha256Of(key, name);
        Codec c = codecOf(base.substring(name.name().length() + 65));
        Decryption decryption = null;
        if (encrypted) {
            if (repository.decryptionKeys() == null) {
                throw new ArcaException(ErrorCode.KEY, "WAL file '" + key + "' is encrypted and no key was given",
                        "give --private-key FILE (or ARCA_PRIVATE_KEY), or --passphrase-file FILE (or ARCA_PASSPHRASE)");
            }
            decryption = new Decryption(repository.decryptionKeys(), null, null);
        }
        MessageDigest sha = Sha256.newDigest();
        byte[] header = new byte[SYSID_OFFSET + 8];
        long read = 0;
        try (InputStream in = ArtifactInput.openUnchecked(storage, key, c, decryption)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (read < header.length) {
                    System.arraycopy(buf, 0, header, (int) read, (int) Math.min(n, header.length - read));
                }
                read += n;
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("fetching '" + key + "': " + e.getMessage(), e);
        }
        if (!Sha256.hex(sha).equals(expected)) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "WAL file '" + key + "' is corrupt: its content"
                    + " does not match the SHA-256 in its name", "the archive cannot replay past this file");
        }
        if (name.kind() == WalFileName.Kind.SEGMENT || name.kind() == WalFileName.Kind.PARTIAL) {
            if (read < header.length) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "WAL file '" + key + "' is too short for a WAL"
                        + " segment", "the archive cannot replay past this file");
            }
            requireSystem(name, ByteBuffer.wrap(header, SYSID_OFFSET, 8).order(ByteOrder.nativeOrder()).getLong(),
                    systemId);
        }
    }

    /** Deletes an archived file (for prune: see {@link WalRetention}). */
    public void delete(Archived file) {
        storage.delete(file.key());
    }

    /**
     * The key of an archived file, if there is one; more than one (two pushers raced with different
     * content) is a conflict, except for partial segments, where the newest is the one.
     */
    public Optional<String> find(long systemId, WalFileName name) {
        List<ObjectInfo> found = storage.list(folder(systemId, name.timeline()) + name.name() + "-");
        if (found.size() > 1 && name.kind() == WalFileName.Kind.PARTIAL) {
            // a replacement in progress (or one whose clean-up failed): the newest partial holds the most
            return found.stream().max(Comparator.comparing(ObjectInfo::lastModified)).map(ObjectInfo::key);
        }
        if (found.size() > 1) {
            throw archivedTwice(name, found.size());
        }
        return found.stream().map(ObjectInfo::key).findFirst();
    }

    private ArcaException archivedTwice(WalFileName name, int times) {
        return new ArcaException(ErrorCode.WAL_CONFLICT, "WAL file '" + name + "' is archived " + times
                + " times with different content in '" + storage.url() + "'",
                "find out which cluster wrote which (arca verify), then delete the wrong one");
    }

    /** The plain SHA-256 that an archived file's key names: {@code <file>-<sha256>.<ext>[.gpg]}. */
    private static String sha256Of(String key, WalFileName name) {
        int at = key.lastIndexOf('/') + 1 + name.name().length() + 1;
        return key.substring(at, at + 64);
    }

    /** The system identifier in a segment's first page header (in the byte order of the machine, as PostgreSQL writes it). */
    public static long systemIdOf(Path segment) {
        byte[] header = new byte[SYSID_OFFSET + 8];
        try (InputStream in = Files.newInputStream(segment)) {
            if (in.readNBytes(header, 0, header.length) < header.length) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "'" + segment + "' is too short for a WAL segment",
                        "check the path PostgreSQL passed (%p)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading '" + segment + "': " + e.getMessage(), e);
        }
        return ByteBuffer.wrap(header, SYSID_OFFSET, 8).order(ByteOrder.nativeOrder()).getLong();
    }

    private static void requireSystem(WalFileName name, Path file, long systemId) {
        requireSystem(name, systemIdOf(file), systemId);
    }

    private static void requireSystem(WalFileName name, long actual, long systemId) {
        if (actual != systemId) {
            throw new ArcaException(ErrorCode.WAL_SYSTEM_MISMATCH, "WAL file '" + name + "' belongs to system "
                    + Long.toUnsignedString(actual) + ", not to system " + Long.toUnsignedString(systemId),
                    "check that archive_command and restore_command of this cluster point at its own repository");
        }
    }

    private ArcaException conflict(WalFileName name, String existing) {
        return new ArcaException(ErrorCode.WAL_CONFLICT, "WAL file '" + name + "' is already archived with other content ('"
                + existing + "')", "two clusters may share this repository and system identifier, or the file changed;"
                + " check with 'arca verify' before deleting anything");
    }

    private static Codec codecOf(String extension) {
        for (Codec c : Codec.values()) {
            if (c.extension().equals(extension)) {
                return c;
            }
        }
        throw new ArcaException(ErrorCode.REPOSITORY_VERSION, "unknown WAL file suffix '" + extension + "'", "upgrade arca");
    }

    /** A file's bytes, in the calling thread's buffer (valid until its next {@link #readIfSmall}). */
    private record Content(byte[] buffer, int length) {
        String sha256() {
            MessageDigest sha = Sha256.newDigest();
            sha.update(buffer, 0, length);
            return Sha256.hex(sha);
        }

        InputStream stream() {
            return new ByteArrayInputStream(buffer, 0, length);
        }
    }

    /**
     * Each pushing thread reads segments into the same buffer: a fresh 16 MiB array per segment
     * made the heap grow by hundreds of megabytes, and first touching new memory is slow on a
     * virtual machine.
     */
    private static final ThreadLocal<byte[]> SEGMENT_BUFFER = new ThreadLocal<>();

    /** The file's bytes when it is no larger than a 64 MiB segment, else null (it is then read twice). */
    private static Content readIfSmall(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > 64L << 20) {
                return null;
            }
            byte[] buffer = SEGMENT_BUFFER.get();
            if (buffer == null || buffer.length < size) {
                buffer = new byte[(int) size];
                SEGMENT_BUFFER.set(buffer);
            }
            ByteBuffer b = ByteBuffer.wrap(buffer, 0, (int) size);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // until the end of the file (it may be shorter than its size said a moment ago)
            }
            return new Content(buffer, b.position());
        } catch (IOException e) {
            throw new UncheckedIOException("reading '" + file + "': " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) {
        MessageDigest sha = Sha256.newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading '" + file + "': " + e.getMessage(), e);
        }
        return Sha256.hex(sha);
    }
}

package io.arca.core.wal;

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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
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
 */
public final class WalArchive {
    /** Where the archive lives in a repository. */
    public static final String PREFIX = "wal/";
    /** Offset of {@code xlp_sysid} in a segment's first (long) page header. */
    private static final int SYSID_OFFSET = 24;
    private static final int BUFFER = 1 << 20;

    private final Repository repository;
    private final Storage storage;
    private final CodecSpec codec;

    public WalArchive(Repository repository, CodecSpec codec) {
        this.repository = repository;
        this.storage = repository.storage();
        this.codec = codec;
    }

    /** What a push did. */
    public enum Pushed { ARCHIVED, ALREADY_ARCHIVED }

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
        if (name.kind() != WalFileName.Kind.TIMELINE_HISTORY && name.kind() != WalFileName.Kind.BACKUP_HISTORY) {
            requireSystem(name, file, systemId);
        }
        String sha256 = sha256(file);
        Optional<String> existing = find(systemId, name);
        if (existing.isPresent()) {
            if (sha256Of(existing.get(), name).equals(sha256)) {
                return Pushed.ALREADY_ARCHIVED;
            }
            throw conflict(name, existing.get());
        }
        EncryptionKeys keys = repository.encryptionKeys();
        String file0 = name.name() + "-" + sha256 + codec.codec().extension()
                + (keys == null ? "" : ArtifactOutput.ENCRYPTED_SUFFIX);
        String key = folder(systemId, name.timeline()) + file0;
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(key, WriteOptions.ifAbsent()), file0, codec, keys,
                new Date(Files.getLastModifiedTime(file).toMillis()));
                InputStream in = Files.newInputStream(file)) {
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
        String key = found.get();
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
        Path partial = target.resolveSibling(target.getFileName() + ".arca-partial");
        MessageDigest sha = Sha256.newDigest();
        OutputStream out;
        try {
            out = Files.newOutputStream(partial);
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot write the WAL file to '" + target + "': " + e,
                    "check the path PostgreSQL passed (%p) and --pgdata");
        }
        try (InputStream in = ArtifactInput.openUnchecked(storage, key, c, decryption); out) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            TempFiles.deleteQuietly(partial);
            throw new UncheckedIOException("fetching '" + key + "': " + e.getMessage(), e);
        } catch (RuntimeException e) {
            TempFiles.deleteQuietly(partial);
            throw e;
        }
        try {
            if (!Sha256.hex(sha).equals(expected)) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "WAL file '" + key + "' is corrupt: its content"
                        + " does not match the SHA-256 in its name", "the archive cannot replay past this file");
            }
            if (name.kind() == WalFileName.Kind.SEGMENT || name.kind() == WalFileName.Kind.PARTIAL) {
                requireSystem(name, partial, systemId);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing '" + target + "': " + e.getMessage(), e);
        } finally {
            TempFiles.deleteQuietly(partial);
        }
        return true;
    }

    /** The key of an archived file, if there is one; more than one (two pushers raced with different content) is a conflict. */
    public Optional<String> find(long systemId, WalFileName name) {
        List<ObjectInfo> found = storage.list(folder(systemId, name.timeline()) + name.name() + "-");
        if (found.size() > 1) {
            throw new ArcaException(ErrorCode.WAL_CONFLICT, "WAL file '" + name + "' is archived " + found.size()
                    + " times with different content in '" + storage.url() + "'",
                    "find out which cluster wrote which (arca verify), then delete the wrong one");
        }
        return found.stream().map(ObjectInfo::key).findFirst();
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
        long actual = systemIdOf(file);
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

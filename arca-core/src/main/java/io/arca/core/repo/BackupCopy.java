package io.arca.core.repo;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.Sha256;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Copies one complete backup from a repository to another, as stored (compressed, and later
 * encrypted, bytes are not touched): every artifact first, each checked against the manifest's
 * stored size and SHA-256 while it streams and read back from the destination after its commit,
 * then the source manifest byte for byte, written if-absent, as the destination's commit marker.
 * An interrupted copy leaves an incomplete folder that is never listed and that the next copy of
 * the same backup replaces.
 *
 * <p>The manifest keeps the {@code repositoryId} of the repository the backup was taken in.
 */
public final class BackupCopy {
    private static final int BUFFER = 1 << 20;

    private BackupCopy() {
    }

    /** What a copy did. */
    public enum Outcome {
        /** The backup was copied and verified. */
        COPIED,
        /** The destination already had the same backup (same manifest). */
        ALREADY_PRESENT
    }

    /**
     * Copies {@code backup} from {@code from} to {@code to}.
     *
     * @throws ArcaException {@link ErrorCode#VERIFICATION_FAILED} when the source does not match its
     *     manifest or the destination does not read back the same; {@link ErrorCode#FAILURE} when the
     *     destination holds a different backup under the same id
     */
    public static Outcome copy(Repository from, Repository to, BackupManifest backup, Progress progress) {
        String manifestKey = Repository.key(backup.id(), Repository.MANIFEST_FILE);
        byte[] manifestBytes = readAll(from, manifestKey);
        if (to.storage().stat(manifestKey).isPresent()) {
            if (Arrays.equals(readAll(to, manifestKey), manifestBytes)) {
                return Outcome.ALREADY_PRESENT;
            }
            throw new ArcaException(ErrorCode.FAILURE, "'" + to.storage().url() + "' already holds a different backup '"
                    + backup.backupId() + "'", "check both repositories with 'arca show " + backup.backupId() + "'");
        }
        for (ArtifactRecord artifact : backup.artifacts()) {
            if (!to.accepts(artifact.encryption())) {
                throw new ArcaException(ErrorCode.KEY, "'" + to.storage().url() + "' requires encryption that artifact '"
                        + artifact.file() + "' of backup '" + backup.backupId() + "' does not have ("
                        + (artifact.encrypted() ? "it needs " + artifact.encryption().needs() : "it is not encrypted") + ")",
                        "copy it into a repository without that requirement, or take a new backup with the keys of '"
                                + to.storage().url() + "'");
            }
        }
        // as stored: a copy needs no key, and encrypted artifacts stay encrypted
        from.requireStoredReadable(backup);
        // leftovers of an interrupted copy of this backup
        for (ObjectInfo info : to.storage().list(backup.id().directory() + "/")) {
            to.storage().delete(info.key());
        }
        long total = backup.storedSize();
        long[] done = {0};
        for (ArtifactRecord artifact : backup.artifacts()) {
            String key = Repository.key(backup.id(), artifact.file());
            copyArtifact(from, to, key, artifact, n -> progress.bytes("copy", done[0] += n, total));
            verifyCopy(to, key, artifact);
        }
        try (StorageWriter w = to.storage().openWrite(manifestKey, WriteOptions.ifAbsent())) {
            w.write(manifestBytes);
            w.commit();
        } catch (StorageAlreadyExistsException e) {
            throw new ArcaException(ErrorCode.FAILURE, "another process copied backup '" + backup.backupId() + "' to '"
                    + to.storage().url() + "' at the same time", "check it with 'arca verify " + backup.backupId() + "'", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Outcome.COPIED;
    }

    private interface Counter {
        void add(long n);
    }

    private static void copyArtifact(Repository from, Repository to, String key, ArtifactRecord artifact, Counter counter) {
        try (InputStream in = from.storage().openRead(key);
                StorageWriter out = to.storage().openWrite(key, WriteOptions.DEFAULT.withExpectedSize(artifact.storedSize()))) {
            check(from, key, artifact, stream(in, out, counter), "in the source");
            out.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("copying '" + key + "': " + e.getMessage(), e);
        }
    }

    private static void verifyCopy(Repository to, String key, ArtifactRecord artifact) {
        try (InputStream in = to.storage().openRead(key)) {
            check(to, key, artifact, stream(in, OutputStream.nullOutputStream(), n -> { }), "after copying to");
        } catch (IOException e) {
            throw new UncheckedIOException("reading back '" + key + "': " + e.getMessage(), e);
        }
    }

    /** Reads an artifact as stored and checks its size and SHA-256 against the manifest (see {@link Repository#verifyStored}). */
    static void verifyStored(Repository repo, String key, ArtifactRecord artifact) {
        Streamed seen;
        try (InputStream in = repo.storage().openRead(key)) {
            seen = stream(in, OutputStream.nullOutputStream(), n -> { });
        } catch (IOException e) {
            throw new UncheckedIOException("reading '" + key + "': " + e.getMessage(), e);
        }
        ArcaException damaged = Repository.storedMismatch(artifact, seen.size(), seen.sha256());
        if (damaged != null) {
            throw damaged;
        }
    }

    /** What {@link #stream} saw: the stored bytes' count and SHA-256. */
    private record Streamed(long size, String sha256) {
    }

    /** Copies {@code in} to {@code out} and returns the size and SHA-256 of what passed. */
    private static Streamed stream(InputStream in, OutputStream out, Counter counter) throws IOException {
        MessageDigest sha = Sha256.newDigest();
        long size = 0;
        byte[] buf = new byte[BUFFER];
        for (int n; (n = in.read(buf)) > 0; ) {
            sha.update(buf, 0, n);
            out.write(buf, 0, n);
            size += n;
            counter.add(n);
        }
        return new Streamed(size, Sha256.hex(sha));
    }

    private static void check(Repository repo, String key, ArtifactRecord artifact, Streamed seen, String where) {
        if (Repository.storedMismatch(artifact, seen.size(), seen.sha256()) != null) {
            throw damaged(repo, key, artifact, seen.size(), seen.sha256(), where);
        }
    }

    private static ArcaException damaged(Repository repo, String key, ArtifactRecord artifact, long size, String hex,
            String where) {
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, "artifact '" + artifact.name() + "' does not match its manifest "
                + where + " '" + repo.storage().url() + "' (" + size + " bytes, sha256 " + hex + "; expected "
                + artifact.storedSize() + " bytes, " + artifact.storedSha256() + ")",
                "the copy was not committed; run 'arca verify' on both repositories");
    }

    private static byte[] readAll(Repository repo, String key) {
        try (InputStream in = repo.storage().openRead(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading '" + key + "' in '" + repo.storage().url() + "': " + e.getMessage(), e);
        }
    }
}

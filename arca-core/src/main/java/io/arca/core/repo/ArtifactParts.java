package io.arca.core.repo;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.SeekPoint;
import io.arca.core.pipeline.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An artifact read in parts, from its seek points, by a parallel restore, with the check that
 * reading in parts skips: no part sees the whole file, so a background read of the stored bytes
 * compares their size and SHA-256 with the manifest while the parts are applied. The restore calls
 * {@link #finish()} before it reports success; a failed check then fails the restore, naming the
 * artifact. A reader that closes without {@link #finish()} has applied nothing it may trust.
 *
 * <p>The check starts with the first part opened (or at {@link #finish()}), so that looking at an
 * artifact's table of contents costs no whole read. It reads the stored (compressed, encrypted)
 * bytes, needs no key, and costs one sequential read of the stored size, concurrent with the
 * restore. Thread-safe: parts may be opened from several threads.
 */
public final class ArtifactParts implements AutoCloseable {
    private static final int BUFFER = 1 << 20;

    private final Repository repository;
    private final BackupManifest manifest;
    private final ArtifactRecord artifact;
    private final String key;
    private CompletableFuture<ArcaException> check;
    private InputStream checking;
    private boolean closed;

    ArtifactParts(Repository repository, BackupManifest manifest, ArtifactRecord artifact) {
        this.repository = repository;
        this.manifest = manifest;
        this.artifact = artifact;
        this.key = Repository.key(manifest.id(), artifact.file());
    }

    public ArtifactRecord artifact() {
        return artifact;
    }

    /**
     * The plain bytes from {@code from} on, {@code plainLength} of them (see
     * {@link Repository#openArtifactAt}). Starts the whole-artifact check; fails at once when the
     * check already found the artifact damaged.
     */
    public InputStream openAt(SeekPoint from, long plainLength) {
        CompletableFuture<ArcaException> c = start();
        ArcaException damaged = c.isDone() && !c.isCompletedExceptionally() ? c.join() : null;
        if (damaged != null) {
            throw damaged;
        }
        return repository.openArtifactAt(manifest, artifact, from, plainLength);
    }

    /**
     * As {@link #openAt} without starting the check: for reading the artifact's structure (a table
     * of contents) to decide how to restore it, never for bytes a restore applies.
     */
    public InputStream peek(SeekPoint from, long plainLength) {
        return repository.openArtifactAt(manifest, artifact, from, plainLength);
    }

    private synchronized CompletableFuture<ArcaException> start() {
        if (closed) {
            throw new IllegalStateException("artifact '" + artifact.file() + "' is closed");
        }
        if (check == null) {
            check = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    check.complete(checkStored());
                } catch (Throwable e) {
                    check.completeExceptionally(e);
                }
            }, "arca-check-" + artifact.name());
            t.setDaemon(true);
            t.start();
        }
        return check;
    }

    /** Reads the stored bytes whole: the damage found, or null when they match the manifest. */
    private ArcaException checkStored() throws IOException {
        MessageDigest sha = Sha256.newDigest();
        long size = 0;
        InputStream in = repository.storage().openRead(key);
        synchronized (this) {
            if (closed) {
                in.close();
                return null;
            }
            checking = in;
        }
        try (in) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sha.update(buffer, 0, n);
                size += n;
            }
        }
        return Repository.storedMismatch(artifact, size, Sha256.hex(sha));
    }

    /**
     * Waits for the whole-artifact check (starting it if no part was opened).
     *
     * @throws ArcaException VERIFICATION_FAILED naming the artifact when its stored size or SHA-256
     *     differs from the manifest; the storage's error when it could not be read
     */
    public void finish() {
        ArcaException damaged = outcome();
        if (damaged != null) {
            throw damaged;
        }
    }

    /**
     * After a tool failed on the parts: the damage that explains it, or null when the artifact
     * matches its manifest (or could not be read: then the tool's failure stands).
     */
    public ArcaException damage() {
        try {
            return outcome();
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private ArcaException outcome() {
        try {
            return start().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while checking artifact '" + artifact.file() + "'",
                    null, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof IOException io) {
                throw new UncheckedIOException("reading '" + key + "': " + io.getMessage(), io);
            }
            throw new IllegalStateException(cause);
        } catch (CancellationException e) {
            throw new IllegalStateException("check of '" + key + "' was cancelled", e);
        }
    }

    /** Stops a check still running (the restore failed or was not trusted anyway). */
    @Override
    public void close() {
        InputStream in;
        synchronized (this) {
            closed = true;
            in = checking;
        }
        if (in != null && check != null && !check.isDone()) {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // the check thread ends on its next read either way
            }
        }
    }
}

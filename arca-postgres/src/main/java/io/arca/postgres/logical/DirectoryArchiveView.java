package io.arca.postgres.logical;

import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.postgres.local.ToolProcess;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Presents a directory-format backup to {@code pg_restore} without copying its data to disk: the
 * small table-of-contents files are written to a temporary directory and every data file becomes a
 * named pipe, fed from the repository when {@code pg_restore} opens it. One thread waits per pipe
 * (opening a pipe for writing blocks until the reader opens it), so pipes are fed in whatever
 * order {@code pg_restore -j} reads them.
 */
final class DirectoryArchiveView implements AutoCloseable {
    private final Path root;
    private final Path directory;
    private final List<Path> pipes = new ArrayList<>();
    private final List<Future<?>> feeders = new ArrayList<>();
    /** Pipes that {@code finish} released because {@code pg_restore} never opened them. */
    private final java.util.Set<String> released = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "arca-pipe");
        t.setDaemon(true);
        return t;
    });

    private DirectoryArchiveView(Path root) {
        this.root = root;
        this.directory = root.resolve("dump");
    }

    /** An empty view in a new temporary directory. */
    static DirectoryArchiveView create() throws IOException {
        DirectoryArchiveView view = new DirectoryArchiveView(TempFiles.createPrivateDirectory(null, "arca-restore-"));
        Files.createDirectories(view.directory);
        return view;
    }

    /** The view of a directory-format backup's {@code artifacts} (all named {@code prefix + file}). */
    static DirectoryArchiveView open(Repository repository, BackupManifest manifest, List<ArtifactRecord> artifacts,
            String prefix) throws IOException {
        DirectoryArchiveView view = create();
        try {
            for (ArtifactRecord a : artifacts) {
                String name = a.name().substring(prefix.length());
                if (name.endsWith(".toc") || name.equals("toc.dat")) {
                    try (InputStream in = repository.openArtifact(manifest, a)) {
                        Files.copy(in, view.directory.resolve(name));
                    }
                } else {
                    view.pipe(name, out -> {
                        try (InputStream in = repository.openArtifact(manifest, a)) {
                            view.feedChecked(name, in, out);
                        }
                    });
                }
            }
            return view;
        } catch (IOException | RuntimeException e) {
            view.close();
            throw e;
        }
    }

    /**
     * Copies a whole artifact stream into a pipe. When {@code pg_restore} stops reading a pipe it
     * had opened, the rest of the stream is still read, so that its check against the manifest
     * runs before anyone reports success; a pipe released unopened (filtered out) is not.
     */
    private void feedChecked(String name, InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            try {
                out.write(buffer, 0, n);
            } catch (IOException stoppedReading) {
                if (!released.contains(name)) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                throw stoppedReading;
            }
        }
    }

    /** Writes what a pipe delivers, when {@code pg_restore} opens it. */
    interface Feeder {
        void feed(OutputStream out) throws IOException;
    }

    /** A small real file in the view (a table of contents). */
    void file(String name, byte[] content) throws IOException {
        Files.write(directory.resolve(name), content);
    }

    /** A named pipe in the view, fed by {@code feeder} once {@code pg_restore} opens it. */
    void pipe(String name, Feeder feeder) {
        Path path = directory.resolve(name);
        ToolProcess mkfifo = ToolProcess.builder("mkfifo").args(path.toString()).noStdin().discardStdout().start();
        mkfifo.waitForSuccess("mkfifo");
        pipes.add(path);
        feeders.add(pool.submit(() -> {
            try (OutputStream out = new FileOutputStream(path.toFile())) {
                feeder.feed(out);
            }
            return null;
        }));
    }

    /** The directory to give {@code pg_restore}. */
    Path directory() {
        return directory;
    }

    /**
     * After {@code pg_restore} failed with {@code toolFailed}: the failure to report. A damaged
     * backup (a feeder's verification error, with the tool's failure suppressed in it) explains
     * what the tool made of the damaged bytes; otherwise the tool's own failure stands.
     */
    ArcaException explain(ArcaException toolFailed) {
        ArcaException damaged = damage();
        if (damaged == null) {
            return toolFailed;
        }
        damaged.addSuppressed(toolFailed);
        return damaged;
    }

    /**
     * The first feeder that found the backup damaged, or null. Waits briefly for feeders that are
     * finishing; ignores feeders still waiting for a reader.
     */
    private ArcaException damage() {
        for (Future<?> f : feeders) {
            try {
                f.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof ArcaException ae && ae.code() == ErrorCode.VERIFICATION_FAILED) {
                    return ae;
                }
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.CancellationException e) {
                // still waiting for pg_restore to open it: not the cause
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /**
     * After {@code pg_restore} succeeded: pipes it never opened (filtered out by --table) are
     * released, and the first feeding error, such as a checksum mismatch, is thrown.
     */
    void finish(boolean restoreSucceeded) {
        for (int i = 0; i < pipes.size(); i++) {
            if (!feeders.get(i).isDone()) {
                released.add(pipes.get(i).getFileName().toString());
                // Opening the read end releases a feeder still waiting for a reader.
                try (FileInputStream release = new FileInputStream(pipes.get(i).toFile())) {
                    release.getChannel();
                } catch (IOException ignored) {
                    // the feeder ends either way
                }
            }
        }
        if (!restoreSucceeded) {
            return;
        }
        for (Future<?> f : feeders) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof ArcaException ae) {
                    throw ae;
                }
                if (cause instanceof IOException && cause.getMessage() != null && cause.getMessage().contains("Broken pipe")) {
                    continue; // a pipe released above
                }
                throw new ArcaException(ErrorCode.FAILURE, "feeding pg_restore failed: " + cause.getMessage(), null, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ArcaException(ErrorCode.INTERRUPTED, "restore interrupted", null, e);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        TempFiles.deleteQuietly(root);
    }
}

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
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "arca-pipe");
        t.setDaemon(true);
        return t;
    });

    private DirectoryArchiveView(Path root) {
        this.root = root;
        this.directory = root.resolve("dump");
    }

    /** Builds the view of {@code artifacts} (all with the directory prefix {@code prefix}). */
    static DirectoryArchiveView open(Repository repository, BackupManifest manifest, List<ArtifactRecord> artifacts,
            String prefix) throws IOException {
        DirectoryArchiveView view = new DirectoryArchiveView(Files.createTempDirectory("arca-restore-"));
        try {
            Files.createDirectories(view.directory);
            for (ArtifactRecord a : artifacts) {
                String name = a.name().substring(prefix.length());
                Path path = view.directory.resolve(name);
                if (name.endsWith(".toc") || name.equals("toc.dat")) {
                    try (InputStream in = repository.openArtifact(manifest, a)) {
                        Files.copy(in, path);
                    }
                } else {
                    view.pipe(path, () -> repository.openArtifact(manifest, a));
                }
            }
            return view;
        } catch (IOException | RuntimeException e) {
            view.close();
            throw e;
        }
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    private void pipe(Path path, Opener source) {
        ToolProcess mkfifo = ToolProcess.builder("mkfifo").args(path.toString()).noStdin().discardStdout().start();
        mkfifo.waitForSuccess("mkfifo");
        pipes.add(path);
        feeders.add(pool.submit(() -> {
            try (OutputStream out = new FileOutputStream(path.toFile()); InputStream in = source.open()) {
                in.transferTo(out);
            }
            return null;
        }));
    }

    /** The directory to give {@code pg_restore}. */
    Path directory() {
        return directory;
    }

    /**
     * After {@code pg_restore} succeeded: pipes it never opened (filtered out by --table) are
     * released, and the first feeding error, such as a checksum mismatch, is thrown.
     */
    void finish(boolean restoreSucceeded) {
        for (int i = 0; i < pipes.size(); i++) {
            if (!feeders.get(i).isDone()) {
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

package io.arca.core.source;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One backup taken from several sources: a database, a Kubernetes namespace, files, Qdrant
 * collections. Each part writes its artifacts into the same pending backup, one after the other;
 * the manifest is written once, after every part succeeded. A failure of any part discards the
 * whole backup (no manifest: never listed, never {@code latest}), so a backup is always the
 * application's one recovery point or nothing.
 */
public final class CompositeBackup {
    /** Writes one or more parts into a pending backup. */
    @FunctionalInterface
    public interface PartWriter {
        List<BackupPart> write(Repository.PendingBackup pending) throws IOException;
    }

    private CompositeBackup() {
    }

    /** The writer of a {@link BackupSource}'s parts. */
    public static PartWriter of(BackupSource source, SourceOptions options, Repository repository,
            io.arca.core.pipeline.CodecSpec codec, io.arca.core.Progress progress) {
        return pending -> source.backup(new BackupContext(repository, pending, codec, progress), options);
    }

    /**
     * Begins a backup, runs {@code writers} in order, and commits one manifest with every part and
     * {@code labels}; discards everything written when any writer fails.
     *
     * @throws ArcaException KEY when the repository requires encryption its keys do not give;
     *     whatever a writer throws
     */
    public static BackupManifest run(Repository repository, List<PartWriter> writers, Map<String, String> labels) {
        if (writers.isEmpty()) {
            throw new IllegalArgumentException("a backup needs at least one part");
        }
        Repository.PendingBackup pending = repository.begin();
        boolean committed = false;
        try {
            BackupManifest.Builder content = BackupManifest.builder().labels(labels)
                    .tool("arca", io.arca.core.ArcaVersion.get());
            for (PartWriter writer : writers) {
                for (BackupPart part : writer.write(pending)) {
                    content.part(part);
                }
            }
            BackupManifest manifest = pending.commit(content);
            committed = true;
            return manifest;
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "the backup failed: " + e.getMessage(),
                    "nothing was committed; fix the cause and run the backup again", e);
        } finally {
            if (!committed) {
                pending.discard();
            }
        }
    }

}

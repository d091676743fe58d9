package io.arca.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.source.Section;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;

/**
 * Recovers a collection from a stored snapshot: uploads the artifact's plain bytes, streamed from
 * the repository, to {@code POST /collections/{name}/snapshots/upload?priority=snapshot} with the
 * SHA-256 the manifest records as {@code checksum}, waits (bounded) until the collection is green,
 * and checks its point count against the manifest.
 *
 * <p>A damaged artifact never leaves a collection behind: Qdrant checks the checksum before it
 * creates anything; the repository stream checks the stored size and digests at its end and a
 * failure there aborts the upload before its closing boundary, so Qdrant never sees a whole
 * body; and when a recovery fails after Qdrant created the collection (it creates it from the
 * snapshot's config before recovering the shards), the collection is deleted again, unless it
 * was there before.
 */
final class QdrantRestore {
    private static final Duration POLL = Duration.ofMillis(200);

    private final Repository repository;
    private final BackupManifest manifest;
    private final QdrantClient client;
    private final Progress progress;
    private final Duration timeout;

    QdrantRestore(Repository repository, BackupManifest manifest, QdrantClient client, Progress progress,
            Duration timeout) {
        this.repository = repository;
        this.manifest = manifest;
        this.client = client;
        this.progress = progress;
        this.timeout = timeout;
    }

    /** Refuses {@code target} when it exists (a restore without --clean never replaces a collection). */
    static void refuseExisting(QdrantClient client, Section section, String target) throws IOException {
        if (client.collection(target).isPresent()) {
            throw existing(client, details(section), target);
        }
    }

    private static ArcaException existing(QdrantClient client, QdrantDetails details, String target) {
        return new ArcaException(ErrorCode.TARGET_NOT_EMPTY, "qdrant collection '" + target + "' exists at '"
                + client.url() + "'", "give --clean to replace it, or restore it under another name with "
                + QdrantOptions.COLLECTION + " " + details.collection() + ":NEW_NAME");
    }

    /**
     * Restores a section as the collection {@code target}.
     *
     * @param clean whether an existing collection of that name is replaced (deleted, then recovered)
     * @return what was done, one line
     */
    String restore(Section section, String target, boolean clean) throws IOException {
        QdrantDetails details = details(section);
        ArtifactRecord artifact = artifact(section);
        boolean existed = client.collection(target).isPresent();
        if (existed && !clean) {
            throw existing(client, details, target);
        }
        if (existed) {
            // --clean deletes before recovering (Qdrant refuses a snapshot whose vectors differ from an
            // existing collection's); the stored bytes are checked first, so a damaged backup never
            // costs the collection it was to replace
            progress.note("checking '" + artifact.file() + "' before replacing qdrant collection '" + target + "'");
            repository.verifyStored(manifest, artifact);
            client.deleteCollection(target);
            progress.note("deleted qdrant collection '" + target + "' (--clean)");
        }
        long count = recover(details, artifact, target, true);
        return "qdrant collection '" + target + "' " + (existed ? "replaced" : "created") + " from snapshot '"
                + details.snapshot() + "': " + count + " points" + (target.equals(details.collection()) ? ""
                        : " (backed up as '" + details.collection() + "')");
    }

    /**
     * Recovers a section under {@code temporary} (which must not exist), checks it and deletes it,
     * whatever happens.
     *
     * @return the checks made
     */
    List<String> drill(Section section, String temporary) throws IOException {
        QdrantDetails details = details(section);
        ArtifactRecord artifact = artifact(section);
        if (client.collection(temporary).isPresent()) {
            throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, "qdrant collection '" + temporary + "' exists at '"
                    + client.url() + "'", "try the drill again (it picks a new name)");
        }
        try {
            long count = recover(details, artifact, temporary, false);
            return List.of("qdrant collection '" + details.collection() + "' recovered into '" + client.url() + "' as '"
                    + temporary + "' from snapshot '" + details.snapshot() + "' (sha-256 checked by qdrant)",
                    "qdrant collection '" + details.collection() + "' holds " + count + " points, the backup recorded "
                            + details.expectedCount());
        } finally {
            try {
                client.deleteCollection(temporary);
            } catch (RuntimeException e) {
                progress.note("could not delete the drill's qdrant collection '" + temporary + "' at '" + client.url()
                        + "': " + e.getMessage());
            }
        }
    }

    /** Uploads, waits for green, checks the count; returns it. Deletes what a failed upload left behind. */
    private long recover(QdrantDetails details, ArtifactRecord artifact, String target, boolean cleanUp)
            throws IOException {
        progress.note("uploading '" + artifact.file() + "' to qdrant at '" + client.url() + "' as collection '" + target
                + "'");
        try (InputStream in = repository.openArtifact(manifest, artifact)) {
            client.upload(target, in, artifact.size(), details.snapshot(), artifact.sha256(),
                    sent -> progress.bytes("qdrant " + target, sent, artifact.size()));
        } catch (IOException | RuntimeException e) {
            if (cleanUp) {
                removeLeftover(target, e);
            }
            throw e;
        }
        JsonNode info = waitGreen(target);
        JsonNode points = info.get("points_count");
        long count = points == null || points.isNull() ? -1 : points.asLong();
        if (!details.countFits(count)) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "qdrant collection '" + target + "' holds " + count
                    + " points after recovering snapshot '" + details.snapshot() + "', the backup recorded "
                    + details.expectedCount(), "the collection is left for inspection; restore an older backup with"
                    + " 'arca restore <id>'");
        }
        return count;
    }

    /** After a failed recovery: a collection Qdrant created for it is half made; it goes. */
    private void removeLeftover(String target, Exception failure) {
        try {
            if (client.collection(target).isPresent() && client.deleteCollection(target)) {
                progress.note("deleted qdrant collection '" + target + "', which the failed recovery left behind");
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private JsonNode waitGreen(String target) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = "missing";
        while (true) {
            JsonNode info = client.collection(target).orElse(null);
            if (info != null) {
                status = info.path("status").asText("unknown");
                if (status.equals("green")) {
                    return info;
                }
                if (status.equals("red")) {
                    throw new ArcaException(ErrorCode.FAILURE, "qdrant collection '" + target + "' at '" + client.url()
                            + "' is red after its recovery", "see qdrant's log");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new ArcaException(ErrorCode.FAILURE, "qdrant collection '" + target + "' at '" + client.url()
                        + "' did not turn green within " + DurationText.format(timeout) + " after its recovery (status "
                        + status + ")", "it may still be optimizing: check it later, or give more time with "
                        + QdrantOptions.TIMEOUT);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while waiting for qdrant collection '"
                        + target + "' to turn green", null, e);
            }
        }
    }

    static QdrantDetails details(Section section) {
        QdrantDetails details = section.details(QdrantDetails.class);
        if (details == null) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "section '" + section.source() + "' of subject '"
                    + section.subject() + "' records no details", "the manifest is damaged");
        }
        return details;
    }

    private ArtifactRecord artifact(Section section) {
        return artifact(manifest, section);
    }

    static ArtifactRecord artifact(BackupManifest manifest, Section section) {
        List<ArtifactRecord> artifacts = manifest.artifactsOf(section);
        if (artifacts.size() != 1) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "qdrant section '" + section.subject()
                    + "' of backup '" + manifest.backupId() + "' holds " + artifacts.size() + " artifacts, not one",
                    "the manifest is damaged");
        }
        return artifacts.get(0);
    }
}

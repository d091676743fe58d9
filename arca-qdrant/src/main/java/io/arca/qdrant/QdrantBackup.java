package io.arca.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.source.BackupContext;
import io.arca.core.source.BackupPart;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Takes the Qdrant part of a backup, one collection after the other: reads the collection's info,
 * has Qdrant make a snapshot, streams its download straight into the repository (no temporary
 * file; Arca's SHA-256 of it is checked against the one Qdrant reports), and deletes the snapshot
 * on the server, whether the backup succeeded or not.
 */
final class QdrantBackup {
    /** The artifact format of a stored snapshot: Qdrant's own snapshot file, a tar. */
    static final String FORMAT = "qdrant-snapshot";

    private final BackupContext context;
    private final QdrantClient client;

    QdrantBackup(BackupContext context, QdrantClient client) {
        this.context = context;
        this.client = client;
    }

    List<BackupPart> run(QdrantOptions.Backup options) throws IOException {
        String version = client.version();
        List<String> existing = client.collectionNames();
        List<String> names;
        if (options.all()) {
            names = existing;
            if (names.isEmpty()) {
                throw new ArcaException(ErrorCode.FAILURE, "qdrant at '" + client.url() + "' has no collections",
                        "check " + QdrantOptions.URL + "; with nothing to back up, leave out " + QdrantOptions.ALL);
            }
        } else {
            names = options.collections();
            List<String> missing = names.stream().filter(n -> !existing.contains(n)).toList();
            if (!missing.isEmpty()) {
                throw new ArcaException(ErrorCode.FAILURE, "qdrant at '" + client.url() + "' has no collection "
                        + String.join(", ", missing.stream().map(n -> "'" + n + "'").toList()),
                        "it has: " + (existing.isEmpty() ? "none" : String.join(", ", existing)));
            }
        }
        List<BackupPart> parts = new ArrayList<>();
        for (String name : names) {
            parts.add(collection(name, version));
        }
        return parts;
    }

    private BackupPart collection(String name, String version) throws IOException {
        long started = System.nanoTime();
        JsonNode before = info(name);
        context.progress().note("making a snapshot of qdrant collection '" + name + "'");
        QdrantClient.Snapshot snapshot = client.createSnapshot(name);
        Throwable failure = null;
        try {
            long snapshotMillis = millisSince(started);
            JsonNode after = info(name);
            String artifact = artifactName(name);
            ArtifactRecord record;
            long downloadStarted = System.nanoTime();
            try (ArtifactOutput out = context.pending().openArtifact(artifact, context.codec());
                    QdrantClient.Download download = client.download(name, snapshot.name())) {
                long total = download.length() >= 0 ? download.length() : snapshot.size();
                copy(download.body(), out, "qdrant " + name, total);
                ArtifactDigest digest = out.finish();
                check(name, snapshot, download, digest);
                record = ArtifactRecord.of(artifact, QdrantSource.ID, FORMAT, out, digest, List.of());
            }
            QdrantDetails details = new QdrantDetails(name, snapshot.name(), record.size(), snapshot.checksum(),
                    count(before), count(after), before.path("config").path("params").path("vectors"), version);
            Map<String, Long> timings = new LinkedHashMap<>();
            timings.put("qdrant:" + name + ":snapshotMillis", snapshotMillis);
            timings.put("qdrant:" + name + ":downloadMillis", millisSince(downloadStarted));
            Section section = Section.of(QdrantSource.ID, Subject.of("qdrant", client.url().authority(), name),
                    List.of(artifact), false, details);
            return new BackupPart(section, List.of(record), Map.of("qdrant", version), timings);
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            deleteSnapshot(name, snapshot.name(), failure);
        }
    }

    private JsonNode info(String name) {
        return client.collection(name).orElseThrow(() -> new ArcaException(ErrorCode.FAILURE, "qdrant collection '"
                + name + "' at '" + client.url() + "' disappeared during the backup", "try the backup again"));
    }

    private static Long count(JsonNode info) {
        JsonNode n = info.get("points_count");
        return n == null || n.isNull() ? null : n.asLong();
    }

    /** Sizes and checksums of what was stored against what Qdrant said it sent. */
    private void check(String name, QdrantClient.Snapshot snapshot, QdrantClient.Download download,
            ArtifactDigest digest) {
        String what = "snapshot '" + snapshot.name() + "' of qdrant collection '" + name + "'";
        if (download.length() >= 0 && download.length() != digest.size()) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, what + " arrived with " + digest.size()
                    + " bytes, qdrant announced " + download.length(), "try the backup again");
        }
        if (snapshot.size() >= 0 && snapshot.size() != digest.size()) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, what + " arrived with " + digest.size()
                    + " bytes, qdrant described it with " + snapshot.size(), "try the backup again");
        }
        if (snapshot.checksum() != null && !snapshot.checksum().equalsIgnoreCase(digest.sha256())) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, what + " arrived with sha-256 " + digest.sha256()
                    + ", qdrant reports " + snapshot.checksum(), "try the backup again; if it persists, check qdrant's disk");
        }
    }

    private void copy(InputStream in, ArtifactOutput out, String phase, long total) throws IOException {
        byte[] buffer = new byte[256 * 1024];
        long done = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            done += n;
            context.progress().bytes(phase, done, total);
        }
    }

    /** Best effort after a failure (which stays the error reported); after a success, a failure is reported as a note. */
    private void deleteSnapshot(String name, String snapshot, Throwable failure) {
        try {
            client.deleteSnapshot(name, snapshot);
        } catch (RuntimeException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                context.progress().note("could not delete snapshot '" + snapshot + "' of collection '" + name
                        + "' on qdrant at '" + client.url() + "' (" + e.getMessage() + "); it takes disk space there"
                        + " until deleted: DELETE /collections/" + QdrantUrl.encode(name) + "/snapshots/"
                        + QdrantUrl.encode(snapshot));
            }
        }
    }

    /** {@code qdrant/<collection>.snapshot}, the name percent-encoded so that any collection name makes a safe key. */
    static String artifactName(String collection) {
        return "qdrant/" + QdrantUrl.encode(collection) + ".snapshot";
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}

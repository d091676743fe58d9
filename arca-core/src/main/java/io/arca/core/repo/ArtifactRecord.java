package io.arca.core.repo;

import io.arca.core.crypto.ArtifactEncryption;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.SeekPoint;
import java.util.List;

/**
 * One artifact of a backup, as recorded in the manifest.
 *
 * @param name logical name (such as {@code app.dump}, {@code globals.sql}, {@code app/toc.dat})
 * @param source what produced it ({@code postgresql.logical}, {@code postgresql.globals})
 * @param format its plain format ({@code pg_dump-custom}, {@code pg_dump-plain},
 *     {@code pg_dump-directory}, {@code sql})
 * @param file the stored file name inside the backup folder, with codec suffix
 * @param size plain size in bytes
 * @param sha256 SHA-256 of the plain bytes
 * @param storedSize stored size in bytes
 * @param storedSha256 SHA-256 of the stored bytes
 * @param codecs the codec chain from plain to stored, such as {@code ["zstd:3"]}
 * @param seekPoints frame boundaries where decoding can start (may be empty)
 * @param encryption how the artifact is encrypted (its codec chain then ends with {@code openpgp}),
 *     or null when it is not
 */
public record ArtifactRecord(String name, String source, String format, String file, long size, String sha256,
        long storedSize, String storedSha256, List<String> codecs, List<SeekPoint> seekPoints,
        ArtifactEncryption encryption) {

    public ArtifactRecord {
        codecs = List.copyOf(codecs);
        seekPoints = seekPoints == null ? List.of() : List.copyOf(seekPoints);
    }

    public static ArtifactRecord of(String name, String source, String format, String file, String codec,
            ArtifactDigest digest, List<SeekPoint> seekPoints) {
        return new ArtifactRecord(name, source, format, file, digest.size(), digest.sha256(), digest.storedSize(),
                digest.storedSha256(), List.of(codec), seekPoints, null);
    }

    /** The record of an artifact written through {@code out}, which returned {@code digest} from finish. */
    public static ArtifactRecord of(String name, String source, String format, ArtifactOutput out, ArtifactDigest digest,
            List<SeekPoint> seekPoints) {
        return new ArtifactRecord(name, source, format, out.file(), digest.size(), digest.sha256(), digest.storedSize(),
                digest.storedSha256(), out.codecs(), seekPoints, out.encryption());
    }

    public boolean encrypted() {
        return encryption != null;
    }

    public ArtifactDigest digest() {
        return new ArtifactDigest(size, sha256, storedSize, storedSha256);
    }
}

package io.arca.postgres.logical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.SeekPoint;
import io.arca.core.repo.ArtifactParts;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.storage.ReadRange;
import io.arca.postgres.archive.ArchiveSource;
import io.arca.postgres.archive.ArchiveToc;
import io.arca.postgres.archive.BlockRef;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A custom-format archive in the repository, read in parts: the header and table of contents
 * from the start of the artifact, and each data block from the seek point recorded where it
 * starts (a compression frame boundary), with a ranged read. Each part is checked by its codec
 * frames' checksums, and the whole artifact's stored size and SHA-256 by {@link ArtifactParts}
 * while the parts are read: a restore calls {@link #finish()} before it reports success.
 */
final class RepositoryArchiveSource implements ArchiveSource, AutoCloseable {
    private static final String DATA_LABEL = "data:";
    private static final SeekPoint START = new SeekPoint("start", 0, 0);

    private final Repository repository;
    private final BackupManifest manifest;
    private final ArtifactRecord artifact;
    private final ArtifactParts parts;
    private final ArchiveToc toc;
    private final List<BlockRef> blocks = new ArrayList<>();
    private final Map<Integer, SeekPoint> seekPoints = new HashMap<>();

    RepositoryArchiveSource(Repository repository, BackupManifest manifest, ArtifactRecord artifact) throws IOException {
        this.repository = repository;
        this.manifest = manifest;
        this.artifact = artifact;
        this.parts = repository.openParts(manifest, artifact);
        try (InputStream in = parts.peek(START, ReadRange.TO_END)) {
            this.toc = ArchiveToc.read(in);
        }
        List<SeekPoint> points = artifact.seekPoints().stream().filter(p -> p.label().startsWith(DATA_LABEL)).toList();
        for (int i = 0; i < points.size(); i++) {
            SeekPoint p = points.get(i);
            long end = i + 1 < points.size() ? points.get(i + 1).offset() : artifact.size();
            int dumpId = Integer.parseInt(p.label().substring(DATA_LABEL.length()));
            blocks.add(new BlockRef(dumpId, p.offset(), end - p.offset()));
            seekPoints.put(dumpId, p);
        }
    }

    /**
     * True when the backup recorded where each data block starts and the artifact can be read from
     * there (not encrypted, or encrypted by Arca), so blocks can be read independently.
     */
    boolean seekable() {
        return (!blocks.isEmpty() || toc.dataEntries().isEmpty()) && repository.seekable(manifest, artifact);
    }

    @Override
    public ArchiveToc toc() {
        return toc;
    }

    @Override
    public InputStream openToc() {
        return parts.openAt(START, toc.length());
    }

    @Override
    public List<BlockRef> blocks() {
        return blocks;
    }

    @Override
    public InputStream openBlock(BlockRef block) {
        SeekPoint p = seekPoints.get(block.dumpId());
        if (p == null) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "artifact '" + artifact.file() + "' has no seek point for"
                    + " data block " + block.dumpId(), "restore with --jobs 1");
        }
        return parts.openAt(p, block.length());
    }

    /** After the restore applied the parts: the whole-artifact check (see {@link ArtifactParts#finish()}). */
    void finish() {
        parts.finish();
    }

    /** After a tool failed on the parts: the damage that explains it, or null. */
    ArcaException damage() {
        return parts.damage();
    }

    @Override
    public void close() {
        parts.close();
    }
}

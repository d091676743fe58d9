package io.arca.postgres.physical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a base backup against the server's {@code backup_manifest} while it streams into the
 * repository: each tar stream passes through a {@link TarReader} on its way to the artifact, which
 * takes every file's size and checksum in the manifest's algorithm; once the manifest (sent last)
 * arrives, {@link #check} compares them as {@code pg_verifybackup} would. Memory grows with the
 * number of files (a name and a checksum each), never with their size.
 */
final class BackupFileDigests {
    private static final int BUFFER = 1 << 18;

    private final String algorithm;
    private final Map<String, Digest> files = new HashMap<>();

    /** A file's size and checksum ({@code algorithm} as the manifest names it; checksum null for NONE). */
    record Digest(long size, String algorithm, String checksum) {
    }

    BackupFileDigests(String algorithm) {
        this.algorithm = algorithm;
    }

    /**
     * Copies the tar stream {@code tar} into {@code sink} whole (trailer included), taking the
     * digest of every regular file. {@code prefix} is {@code ""} for the main data directory and
     * {@code pg_tblspc/<oid>/} for a tablespace, as the manifest names their files.
     *
     * @return the bytes copied
     */
    long copy(String prefix, InputStream tar, OutputStream sink) throws IOException {
        CountingTee tee = new CountingTee(tar, sink);
        byte[] buffer = new byte[BUFFER];
        try (TarReader reader = new TarReader(tee, prefix.isEmpty() ? "the data directory's tar"
                : "the tar of '" + prefix + "'")) {
            TarEntry e;
            while ((e = reader.next()) != null) {
                if (e.type() != TarEntry.Type.FILE) {
                    continue;
                }
                ManifestChecksum sum = algorithm == null ? null : ManifestChecksum.of(algorithm);
                InputStream content = reader.content();
                long size = 0;
                int n;
                while ((n = content.read(buffer)) > 0) {
                    if (sum != null) {
                        sum.update(buffer, 0, n);
                    }
                    size += n;
                }
                files.put(ManifestCheck.path(prefix, e.name()),
                        new Digest(size, algorithm, sum == null ? null : sum.hex()));
            }
            // whatever follows the end-of-archive blocks belongs in the artifact too
            while (tee.read(buffer) > 0) {
                // copied by the tee
            }
        }
        return tee.count;
    }

    /** The files seen so far. */
    Map<String, Digest> files() {
        return Map.copyOf(files);
    }

    /**
     * Compares what streamed with the manifest.
     *
     * @throws ArcaException VERIFICATION_FAILED naming the first problems
     */
    void check(ServerManifest manifest) {
        ManifestCheck.Result result = ManifestCheck.compare(manifest, files);
        if (!result.ok()) {
            List<String> p = result.problems();
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "the base backup does not match the server's"
                    + " backup_manifest: " + p.get(0) + (p.size() > 1 ? " (and " + (p.size() - 1) + " more)" : ""),
                    "the files changed in transit or the server sent a broken backup; nothing was committed. Problems:\n"
                            + String.join("\n", p.subList(0, Math.min(p.size(), 20))));
        }
    }

    /** Passes what is read on to a sink, and counts it. */
    private static final class CountingTee extends FilterInputStream {
        private final OutputStream sink;
        long count;

        CountingTee(InputStream in, OutputStream sink) {
            super(in);
            this.sink = sink;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                sink.write(b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                sink.write(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // every byte must reach the sink: skipping reads
            byte[] buf = new byte[(int) Math.min(n, BUFFER)];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r <= 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public void close() {
            // the caller owns both streams
        }
    }
}

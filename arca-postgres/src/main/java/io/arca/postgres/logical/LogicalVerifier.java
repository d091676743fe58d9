package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.postgres.archive.ArchiveToc;
import io.arca.postgres.archive.CustomArchiveScanner;
import io.arca.postgres.archive.TocEntry;
import io.arca.postgres.local.PgBinaries;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Verifies a backup without restoring it: re-reads every artifact, checks its stored and plain
 * sizes and SHA-256 sums against the manifest (which also decodes the whole codec chain), checks
 * the structure of {@code pg_dump} archives block by block, and has {@code pg_restore --list} read
 * their table of contents. In custom-format archives it recounts every table's rows from the data
 * blocks, and in directory archives from the lines of each table's data file, and fails when a
 * count differs from the manifest's; plain backups say that their counts were not recounted. Stops at the first bad artifact. An encrypted artifact is decrypted
 * (checking its OpenPGP integrity too) when the repository has keys; without them only its stored
 * size and SHA-256 are checked, which needs no secret.
 */
public final class LogicalVerifier {
    private final Repository repository;
    private final PgBinaries binaries;
    private final Progress progress;

    public LogicalVerifier(Repository repository, PgBinaries binaries, Progress progress) {
        this.repository = repository;
        this.binaries = binaries;
        this.progress = progress;
    }

    public VerifyReport verify(BackupManifest m) {
        List<VerifyReport.ArtifactCheck> results = new ArrayList<>();
        // directory format: rows of each data file by artifact name (null: not countable), and the toc.dat
        Map<String, Long> dataFileRows = new HashMap<>();
        ArtifactRecord directoryToc = null;
        for (ArtifactRecord a : m.artifacts()) {
            if (a.encrypted() && repository.decryptionKeys() == null) {
                results.add(verifyStored(m, a));
                if (!results.get(results.size() - 1).ok()) {
                    break;
                }
                continue;
            }
            List<String> checks = new ArrayList<>(List.of("size", "sha256", "codec " + String.join("+", a.codecs())));
            try {
                switch (a.format()) {
                    case "pg_dump-custom" -> {
                        ArchiveRowCounts counts = verifyCustom(m, a);
                        checks.add("archive structure");
                        checks.add("pg_restore --list");
                        checks.add(checkRowCounts(m, counts));
                    }
                    case "pg_dump-directory" -> {
                        CopyDataRows rows = new CopyDataRows();
                        drain(m, a, rows);
                        if (a.name().endsWith(".dat")) {
                            dataFileRows.put(a.name(), rows.rows());
                        }
                        if (a.name().endsWith("/toc.dat")) {
                            new LogicalRestore(repository, binaries, Progress.NONE).list(m);
                            checks.add("pg_restore --list");
                            directoryToc = a;
                        }
                    }
                    case "pg_dump-plain" -> {
                        drain(m, a);
                        checks.add("row counts not recounted in plain format");
                    }
                    default -> drain(m, a);
                }
                results.add(new VerifyReport.ArtifactCheck(a.file(), true, checks, null));
            } catch (ArcaException e) {
                if (e.code() != ErrorCode.VERIFICATION_FAILED && e.code() != ErrorCode.TOOL_FAILED
                        && e.code() != ErrorCode.STORAGE_NOT_FOUND) {
                    throw e;
                }
                results.add(new VerifyReport.ArtifactCheck(a.file(), false, checks, e.getMessage()));
                break;
            } catch (IOException e) {
                results.add(new VerifyReport.ArtifactCheck(a.file(), false, checks, "cannot read: " + e.getMessage()));
                break;
            }
        }
        if (directoryToc != null && results.stream().allMatch(VerifyReport.ArtifactCheck::ok)) {
            // every data file has been read by now, whatever the order of the artifacts
            ArtifactRecord toc = directoryToc;
            results.replaceAll(c -> c.name().equals(toc.file()) ? checkDirectoryRows(m, toc, dataFileRows, c) : c);
        }
        return new VerifyReport(m.backupId(), results);
    }

    /** The toc.dat's check with the row counts of the data files it names compared with the manifest's. */
    private VerifyReport.ArtifactCheck checkDirectoryRows(BackupManifest m, ArtifactRecord toc,
            Map<String, Long> dataFileRows, VerifyReport.ArtifactCheck check) {
        List<String> checks = new ArrayList<>(check.checks());
        try (InputStream in = repository.openArtifact(m, toc)) {
            String prefix = toc.name().substring(0, toc.name().length() - "toc.dat".length());
            Map<TableRef, Long> counted = new TreeMap<>();
            List<TableRef> uncounted = new ArrayList<>();
            for (TocEntry e : ArchiveToc.readTocDat(in).entries()) {
                if (!e.is("TABLE DATA") || e.dataFile() == null) {
                    continue;
                }
                TableRef table = new TableRef(e.namespace(), e.tag());
                Long rows = dataFileRows.get(prefix + e.dataFile());
                if (rows == null) {
                    uncounted.add(table);
                } else {
                    counted.put(table, rows);
                }
            }
            checks.add(checkRowCounts(m, new ArchiveRowCounts(counted, uncounted)));
            return new VerifyReport.ArtifactCheck(check.name(), true, checks, null);
        } catch (ArcaException e) {
            if (e.code() != ErrorCode.VERIFICATION_FAILED) {
                throw e;
            }
            return new VerifyReport.ArtifactCheck(check.name(), false, checks, e.getMessage());
        } catch (IOException e) {
            return new VerifyReport.ArtifactCheck(check.name(), false, checks, "cannot read: " + e.getMessage());
        }
    }

    /**
     * Counts the rows of a data file of an uncompressed directory archive as it passes: COPY text,
     * one line per row (newlines inside values are escaped), then the end marker {@code \.\n\n\n}.
     */
    private static final class CopyDataRows extends OutputStream {
        private static final byte[] END = {'\\', '.', '\n', '\n', '\n'};
        private final byte[] tail = new byte[END.length];
        private long newlines;
        private long length;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    newlines++;
                }
            }
            int keep = Math.min(len, tail.length);
            System.arraycopy(tail, keep, tail, 0, tail.length - keep);
            System.arraycopy(b, off + len - keep, tail, tail.length - keep, keep);
            length += len;
        }

        /** The rows, or null when the data does not end with the marker (it cannot be counted so). */
        Long rows() {
            return length >= END.length && Arrays.equals(tail, END) ? newlines - 3 : null;
        }
    }

    /** Without a key: the stored bytes' size and SHA-256 only. */
    private VerifyReport.ArtifactCheck verifyStored(BackupManifest m, ArtifactRecord a) {
        List<String> checks = List.of("stored size", "stored sha256", "not decrypted: no key given");
        try {
            repository.verifyStored(m, a);
            return new VerifyReport.ArtifactCheck(a.file(), true, checks, null);
        } catch (ArcaException e) {
            if (e.code() != ErrorCode.VERIFICATION_FAILED && e.code() != ErrorCode.STORAGE_NOT_FOUND) {
                throw e;
            }
            return new VerifyReport.ArtifactCheck(a.file(), false, checks, e.getMessage());
        }
    }

    private void drain(BackupManifest m, ArtifactRecord a) throws IOException {
        drain(m, a, OutputStream.nullOutputStream());
    }

    private void drain(BackupManifest m, ArtifactRecord a, OutputStream out) throws IOException {
        try (InputStream in = repository.openArtifact(m, a)) {
            copy(in, out, a);
        }
    }

    private void copy(InputStream in, OutputStream out, ArtifactRecord a) throws IOException {
        byte[] buffer = new byte[1 << 20];
        long done = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            done += n;
            progress.bytes("verify " + a.name(), done, a.size());
        }
        progress.bytes("verify " + a.name(), done, a.size());
    }

    /**
     * pg_restore --list of the backup's table of contents, then a block-by-block scan of the whole
     * archive, which counts each table's rows.
     */
    private ArchiveRowCounts verifyCustom(BackupManifest m, ArtifactRecord a) throws IOException {
        new LogicalRestore(repository, binaries, Progress.NONE).list(m);
        CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(),
                CustomArchiveScanner.Listener.NONE);
        try (InputStream in = repository.openArtifact(m, a); scanner) {
            copy(in, scanner, a);
        }
        return ArchiveRowCounts.of(scanner);
    }

    /**
     * Compares the row counts the manifest records with those recounted from the archive's data
     * blocks; what was checked, for the report.
     *
     * @throws ArcaException VERIFICATION_FAILED naming the first table that differs, with both counts
     */
    static String checkRowCounts(BackupManifest m, ArchiveRowCounts counts) {
        if (PostgresSection.database(m) == null || !PostgresSection.database(m).rowCounts()) {
            return "no row counts recorded";
        }
        Map<TableRef, Long> recorded = new TreeMap<>();
        for (PostgresSection.TableInfo t : PostgresSection.database(m).tables()) {
            recorded.put(new TableRef(t.schema(), t.name()), t.rows());
        }
        Set<TableRef> uncounted = new HashSet<>(counts.uncounted());
        List<String> differences = new ArrayList<>();
        recorded.forEach((table, rows) -> {
            Long found = counts.counted().get(table);
            if (rows == null || uncounted.contains(table)) {
                return;
            }
            if (found == null) {
                differences.add("table " + table + ": the manifest records " + rows + " rows, the archive holds no"
                        + " data for it");
            } else if (!found.equals(rows)) {
                differences.add("table " + table + ": the manifest records " + rows + " rows, the archive holds "
                        + found);
            }
        });
        counts.counted().forEach((table, found) -> {
            if (!recorded.containsKey(table)) {
                differences.add("table " + table + ": the archive holds " + found + " rows of it, the manifest does"
                        + " not list it");
            }
        });
        if (!differences.isEmpty()) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, differences.get(0)
                    + (differences.size() > 1 ? " (and " + (differences.size() - 1) + " more tables differ)" : ""),
                    "the manifest or the archive was changed after the backup: do not rely on this backup");
        }
        return uncounted.isEmpty() ? "row counts"
                : "row counts (" + uncounted.size() + " of " + recorded.size() + " tables not recountable)";
    }
}

package io.arca.postgres.logical;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.postgres.archive.CustomArchiveScanner;
import io.arca.postgres.local.PgBinaries;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
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
 * blocks and fails when a count differs from the manifest's; plain and directory backups say that
 * their counts were not recounted. Stops at the first bad artifact. An encrypted artifact is decrypted
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
                        drain(m, a);
                        if (a.name().endsWith("/toc.dat")) {
                            new LogicalRestore(repository, binaries, Progress.NONE).list(m);
                            checks.add("pg_restore --list");
                            checks.add("row counts not recounted in directory format");
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
        return new VerifyReport(m.backupId(), results);
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
        try (InputStream in = repository.openArtifact(m, a)) {
            copy(in, OutputStream.nullOutputStream(), a);
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
        if (m.database() == null || !m.database().rowCounts()) {
            return "no row counts recorded";
        }
        Map<TableRef, Long> recorded = new TreeMap<>();
        for (BackupManifest.TableInfo t : m.database().tables()) {
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

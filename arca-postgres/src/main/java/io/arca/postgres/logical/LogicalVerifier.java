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
import java.util.List;

/**
 * Verifies a backup without restoring it: re-reads every artifact, checks its stored and plain
 * sizes and SHA-256 sums against the manifest (which also decodes the whole codec chain), checks
 * the structure of {@code pg_dump} archives block by block, and has {@code pg_restore --list} read
 * their table of contents. Stops at the first bad artifact. An encrypted artifact is decrypted
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
                        verifyCustom(m, a);
                        checks.add("archive structure");
                        checks.add("pg_restore --list");
                    }
                    case "pg_dump-directory" -> {
                        drain(m, a);
                        if (a.name().endsWith("/toc.dat")) {
                            new LogicalRestore(repository, binaries, Progress.NONE).list(m);
                            checks.add("pg_restore --list");
                        }
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

    /** pg_restore --list of the backup's table of contents, then a block-by-block scan of the whole archive. */
    private void verifyCustom(BackupManifest m, ArtifactRecord a) throws IOException {
        new LogicalRestore(repository, binaries, Progress.NONE).list(m);
        try (InputStream in = repository.openArtifact(m, a);
                CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(),
                        CustomArchiveScanner.Listener.NONE)) {
            copy(in, scanner, a);
        }
    }
}

package io.arca.postgres.physical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.Progress;
import io.arca.core.ReadAheadInputStream;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalCoverage;
import io.arca.postgres.wal.WalFileName;
import io.arca.postgres.logical.VerifyReport;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies a physical backup without restoring it, as {@code pg_verifybackup} would and more:
 *
 * <ul>
 *   <li>every artifact's sizes and SHA-256 (stored and plain) and codec chain, by reading it whole;
 *   <li>the server's {@code backup_manifest} (its own checksum) and every file in the tars against
 *       it: present, same size, same checksum, nothing extra;
 *   <li>the WAL: from the backup's start segment to the newest archived one on its timeline, and on
 *       every later timeline from its first archived segment, no segment missing (the first missing
 *       one is named) and each archived segment's content matching the SHA-256 its name records and
 *       this cluster's system identifier.
 * </ul>
 *
 * Without a key, encrypted artifacts and WAL are checked by their stored size and SHA-256 only.
 */
public final class PhysicalVerifier {
    private final Repository repository;
    private final Progress progress;

    public PhysicalVerifier(Repository repository, Progress progress) {
        this.repository = repository;
        this.progress = progress;
    }

    public VerifyReport verify(BackupManifest m) {
        PostgresSection.PhysicalInfo info = PostgresSection.physical(m);
        List<VerifyReport.ArtifactCheck> results = new ArrayList<>();
        boolean keys = repository.decryptionKeys() != null;
        ManifestCheck check = null;
        if (info.manifestArtifact() != null && (keys || !encrypted(m, info.manifestArtifact()))) {
            ArtifactRecord a = artifact(m, info.manifestArtifact());
            try (InputStream in = repository.openArtifact(m, a)) {
                check = new ManifestCheck(ServerManifest.parse(in));
                in.transferTo(java.io.OutputStream.nullOutputStream());
                results.add(new VerifyReport.ArtifactCheck(a.file(), true,
                        List.of("size", "sha256", "codec " + String.join("+", a.codecs()), "manifest checksum"), null));
            } catch (ArcaException e) {
                return failed(m, results, a, e);
            } catch (IOException e) {
                results.add(new VerifyReport.ArtifactCheck(a.file(), false, List.of(), "cannot read: " + e.getMessage()));
                return new VerifyReport(m.backupId(), results);
            }
        }
        String base = null;
        for (ArtifactRecord a : m.artifacts()) {
            if (a.name().equals(info.manifestArtifact())) {
                continue;
            }
            if (a.encrypted() && !keys) {
                try {
                    repository.verifyStored(m, a);
                    results.add(new VerifyReport.ArtifactCheck(a.file(), true,
                            List.of("stored size", "stored sha256", "not decrypted: no key given"), null));
                    continue;
                } catch (ArcaException e) {
                    return failed(m, results, a, e);
                }
            }
            String prefix = prefix(info, a);
            List<String> checks = new ArrayList<>(List.of("size", "sha256", "codec " + String.join("+", a.codecs())));
            try (InputStream in = new ReadAheadInputStream(repository.openArtifact(m, a), 8, 1 << 20)) {
                if (check != null && prefix != null) {
                    check.check(prefix, new ProgressInputStream(in, n -> progress.bytes("verify " + a.name(), n, a.size())));
                    checks.add("files against backup_manifest");
                }
                in.transferTo(java.io.OutputStream.nullOutputStream());
                results.add(new VerifyReport.ArtifactCheck(a.file(), true, checks, null));
                if (prefix != null && prefix.isEmpty()) {
                    base = a.file();
                }
            } catch (ArcaException e) {
                return failed(m, results, a, e);
            } catch (IOException e) {
                results.add(new VerifyReport.ArtifactCheck(a.file(), false, checks, "cannot read: " + e.getMessage()));
                return new VerifyReport(m.backupId(), results);
            }
        }
        if (check != null) {
            ManifestCheck.Result r = check.finish();
            if (!r.ok()) {
                List<String> p = r.problems();
                results.add(new VerifyReport.ArtifactCheck(base == null ? "tar files" : base, false,
                        List.of("files against backup_manifest"), p.get(0)
                        + (p.size() > 1 ? " (and " + (p.size() - 1) + " more)" : "")));
                return new VerifyReport(m.backupId(), results);
            }
        }
        results.addAll(verifyWal(m));
        return new VerifyReport(m.backupId(), results);
    }

    /** The WAL from the backup's start, per timeline: continuity, then each segment's content. */
    private List<VerifyReport.ArtifactCheck> verifyWal(BackupManifest m) {
        PostgresSection.PhysicalInfo info = PostgresSection.physical(m);
        long systemId = Long.parseUnsignedLong(info.systemIdentifier());
        long segmentSize = info.walSegmentSize();
        WalCoverage coverage = WalCoverage.scan(repository.storage(), systemId, segmentSize);
        List<VerifyReport.ArtifactCheck> results = new ArrayList<>();
        TimelineId backupTimeline = new TimelineId(info.timeline());
        long start = Lsn.parse(info.startLsn()).segment(segmentSize);
        long stop = Lsn.parse(info.stopLsn()).segment(segmentSize);
        WalArchive archive = new WalArchive(repository, repository.defaultCodec());
        for (TimelineId timeline : coverage.timelines()) {
            if (timeline.compareTo(backupTimeline) < 0) {
                continue;
            }
            Map<Long, WalCoverage.Archived> segments = coverage.segments(timeline);
            long from = timeline.equals(backupTimeline) ? start : segments.keySet().iterator().next();
            long to = coverage.newest(timeline).map(a -> a.name().segment()).orElse(from);
            String label = "WAL timeline " + timeline.value() + " " + WalFileName.segment(timeline, from, segmentSize).name()
                    + ".." + WalFileName.segment(timeline, Math.max(from, to), segmentSize).name();
            List<String> checks = new ArrayList<>(List.of("continuity"));
            Optional<WalFileName> gap = coverage.firstGap(timeline, from);
            if (gap.isPresent()) {
                boolean needed = timeline.equals(backupTimeline) && gap.get().segment() <= stop;
                results.add(new VerifyReport.ArtifactCheck(label, false, checks, "segment " + gap.get().name()
                        + " is missing from the WAL archive" + (needed ? " (the backup needs it to become consistent)"
                        : " (recovery cannot go past it)")));
                return results;
            }
            checks.add(repository.decryptionKeys() != null || repository.config().encryption() == null
                    ? "sha256 and system identifier of each segment" : "not decrypted: no key given");
            try {
                if (repository.decryptionKeys() != null || repository.config().encryption() == null) {
                    long done = 0;
                    for (WalCoverage.Archived a : segments.values()) {
                        if (a.name().segment() < from) {
                            continue;
                        }
                        archive.verify(systemId, a.name());
                        progress.bytes("verify " + label, ++done * segmentSize, (to - from + 1) * segmentSize);
                    }
                }
                results.add(new VerifyReport.ArtifactCheck(label, true, checks, null));
            } catch (ArcaException e) {
                if (e.code() != ErrorCode.VERIFICATION_FAILED && e.code() != ErrorCode.WAL_SYSTEM_MISMATCH
                        && e.code() != ErrorCode.STORAGE_NOT_FOUND) {
                    throw e;
                }
                results.add(new VerifyReport.ArtifactCheck(label, false, checks, e.getMessage()));
                return results;
            } catch (java.io.UncheckedIOException e) {
                results.add(new VerifyReport.ArtifactCheck(label, false, checks, "cannot check: " + e.getMessage()));
                return results;
            }
        }
        if (coverage.segments(backupTimeline).isEmpty()) {
            results.add(new VerifyReport.ArtifactCheck("WAL timeline " + backupTimeline.value(), false, List.of("continuity"),
                    "segment " + info.startWal() + " is missing from the WAL archive (the backup needs it to become consistent)"));
        }
        return results;
    }

    private static VerifyReport failed(BackupManifest m, List<VerifyReport.ArtifactCheck> results, ArtifactRecord a,
            ArcaException e) {
        if (e.code() != ErrorCode.VERIFICATION_FAILED && e.code() != ErrorCode.STORAGE_NOT_FOUND) {
            throw e;
        }
        results.add(new VerifyReport.ArtifactCheck(a.file(), false, List.of("size", "sha256"), e.getMessage()));
        return new VerifyReport(m.backupId(), results);
    }

    /** "" for the data directory's tar, "pg_tblspc/<oid>/" for a tablespace's, null for anything else. */
    private static String prefix(PostgresSection.PhysicalInfo info, ArtifactRecord a) {
        if (a.name().equals(PhysicalArtifacts.BASE)) {
            return "";
        }
        for (PostgresSection.TablespaceInfo t : info.tablespaces()) {
            if (t.artifact().equals(a.name())) {
                return "pg_tblspc/" + t.oid() + "/";
            }
        }
        return null;
    }

    private static boolean encrypted(BackupManifest m, String name) {
        return artifact(m, name).encrypted();
    }

    private static ArtifactRecord artifact(BackupManifest m, String name) {
        return PhysicalArtifacts.find(m, name);
    }
}

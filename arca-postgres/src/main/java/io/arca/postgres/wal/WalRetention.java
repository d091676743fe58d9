package io.arca.postgres.wal;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.postgres.manifest.BackupKind;
import io.arca.core.repo.BackupManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which archived WAL no kept physical backup needs, for {@code arca prune}.
 *
 * <p>Recovery from a backup replays WAL from the backup's start onwards, on its own timeline and
 * the later ones it follows, never before its start. So for each cluster (system identifier) with
 * at least one kept physical backup, every segment, partial segment and backup history file whose
 * segment number lies before the start segment of its oldest-starting kept backup is expired, on
 * every timeline: WAL positions are one space across timelines, and a timeline that branched off
 * earlier is only needed from its branch point by backups taken on it, which start after it.
 * Timeline history files are always kept (recovery reads them to follow timelines, and they are
 * tiny). A cluster without a kept physical backup keeps all its WAL: Arca does not know what it is
 * kept for.
 */
public final class WalRetention {
    private WalRetention() {
    }

    /** What one cluster loses: {@code files}, all before {@code keepFrom}. */
    public record Expiry(long systemId, WalFileName keepFrom, List<WalArchive.Archived> files) {
        public Expiry {
            files = List.copyOf(files);
        }
    }

    /** The WAL that none of {@code kept} needs, per cluster (clusters with nothing to expire are left out). */
    public static List<Expiry> plan(WalArchive archive, List<BackupManifest> kept) {
        Map<Long, PostgresSection.PhysicalInfo> oldest = new LinkedHashMap<>();
        for (BackupManifest m : kept) {
            PostgresSection.PhysicalInfo p = PostgresSection.physical(m);
            if (PostgresSection.kind(m) != BackupKind.PHYSICAL || p == null) {
                continue;
            }
            long system = Long.parseUnsignedLong(p.systemIdentifier());
            oldest.merge(system, p, (a, b) -> startSegment(b) < startSegment(a) ? b : a);
        }
        List<Expiry> out = new ArrayList<>();
        for (Map.Entry<Long, PostgresSection.PhysicalInfo> e : oldest.entrySet()) {
            PostgresSection.PhysicalInfo p = e.getValue();
            long from = startSegment(p);
            List<WalArchive.Archived> expired = archive.list(e.getKey(), p.walSegmentSize()).stream()
                    .filter(a -> a.name().kind() != WalFileName.Kind.TIMELINE_HISTORY && a.name().segment() < from)
                    .toList();
            if (!expired.isEmpty()) {
                out.add(new Expiry(e.getKey(), WalFileName.segment(new TimelineId(p.timeline()), from, p.walSegmentSize()),
                        expired));
            }
        }
        return out;
    }

    private static long startSegment(PostgresSection.PhysicalInfo p) {
        return Lsn.parse(p.startLsn()).segment(p.walSegmentSize());
    }
}

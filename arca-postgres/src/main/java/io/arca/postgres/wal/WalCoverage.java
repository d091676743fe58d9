package io.arca.postgres.wal;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.postgres.manifest.BackupKind;
import io.arca.core.repo.BackupManifest;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the WAL archive of one cluster covers, from one listing of {@code wal/<system-id>/}: per
 * timeline, which segments are archived whole or only as {@code .partial}, and when each was
 * stored. It answers the two questions verify and list ask: from a backup's start, where is the
 * first missing segment on its timeline ({@link #firstGap}), and up to when can each timeline be
 * recovered ({@link #windows}).
 *
 * <p>Times come from the storage's modification time of each archived file: a segment is stored
 * after every commit it holds, so a window's end is an upper bound, accurate to the archiving
 * delay (archive_timeout, or near zero with {@code wal-receive}).
 */
public final class WalCoverage {
    private final long systemId;
    private final long segmentSize;
    private final Map<TimelineId, TreeMap<Long, Archived>> segments = new TreeMap<>();

    /** One archived segment: whole or partial, and when it was stored. */
    public record Archived(WalFileName name, boolean partial, Instant stored) {
    }

    /**
     * The recoverable window of one timeline: recovery can start from {@code backupId} (the oldest
     * physical backup whose WAL is archived without a gap from its start) and reach any time from
     * {@code from} (that backup's end) to {@code to} (when the last segment of the unbroken run was
     * stored), i.e. WAL up to segment {@code lastSegment}.
     */
    public record Window(TimelineId timeline, String backupId, Instant from, Instant to, WalFileName lastSegment) {
    }

    private WalCoverage(long systemId, long segmentSize) {
        this.systemId = systemId;
        this.segmentSize = segmentSize;
    }

    /** Lists the archive of {@code systemId} in {@code storage}. */
    public static WalCoverage scan(Storage storage, long systemId, long segmentSize) {
        WalCoverage c = new WalCoverage(systemId, segmentSize);
        String prefix = WalArchive.PREFIX + Long.toUnsignedString(systemId) + "/";
        for (ObjectInfo o : storage.list(prefix)) {
            String file = o.key().substring(o.key().lastIndexOf('/') + 1);
            int dash = file.indexOf('-');
            if (dash < 0) {
                continue;
            }
            WalFileName name;
            try {
                name = WalFileName.parse(file.substring(0, dash), segmentSize);
            } catch (IllegalArgumentException notWal) {
                continue;
            }
            if (name.kind() == WalFileName.Kind.SEGMENT || name.kind() == WalFileName.Kind.PARTIAL) {
                boolean partial = name.kind() == WalFileName.Kind.PARTIAL;
                var perTimeline = c.segments.computeIfAbsent(name.timeline(), t -> new TreeMap<>());
                Archived earlier = perTimeline.get(name.segment());
                // a whole segment wins over a partial one of the same number
                if (earlier == null || earlier.partial() && !partial) {
                    perTimeline.put(name.segment(), new Archived(name, partial, o.lastModified()));
                }
            }
        }
        return c;
    }

    public long systemId() {
        return systemId;
    }

    /** The timelines with archived segments, oldest first. */
    public List<TimelineId> timelines() {
        return List.copyOf(segments.keySet());
    }

    /** The archived segments of {@code timeline} by segment number. */
    public Map<Long, Archived> segments(TimelineId timeline) {
        return segments.getOrDefault(timeline, new TreeMap<>());
    }

    /** The newest archived segment of {@code timeline}, if any. */
    public Optional<Archived> newest(TimelineId timeline) {
        TreeMap<Long, Archived> s = segments.get(timeline);
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s.lastEntry().getValue());
    }

    /**
     * The first segment missing on {@code timeline} between segment {@code from} and the newest
     * archived segment of that timeline (a partial segment counts as present, but only as the last
     * one: a partial followed by later segments leaves a gap at its end). Empty when the run is
     * unbroken; the segment {@code from} itself when nothing from there on is archived.
     */
    public Optional<WalFileName> firstGap(TimelineId timeline, long from) {
        TreeMap<Long, Archived> s = segments.getOrDefault(timeline, new TreeMap<>());
        if (s.isEmpty() || s.lastKey() < from) {
            return Optional.of(WalFileName.segment(timeline, from, segmentSize));
        }
        long last = s.lastKey();
        for (long seg = from; seg <= last; seg++) {
            Archived a = s.get(seg);
            if (a == null || a.partial() && seg < last) {
                return Optional.of(WalFileName.segment(timeline, seg, segmentSize));
            }
        }
        return Optional.empty();
    }

    /** The last segment of the unbroken run on {@code timeline} from segment {@code from}, if {@code from} is archived. */
    public Optional<Archived> runEnd(TimelineId timeline, long from) {
        TreeMap<Long, Archived> s = segments.getOrDefault(timeline, new TreeMap<>());
        Archived end = null;
        for (long seg = from; s.containsKey(seg); seg++) {
            end = s.get(seg);
            if (end.partial()) {
                break;
            }
        }
        return Optional.ofNullable(end);
    }

    /**
     * The recoverable window of each timeline a physical backup of this cluster started on: the
     * newest point reachable, i.e. the end of the longest unbroken run of WAL from a backup's start
     * through at least its stop segment, and from the oldest backup that reaches it. (An older
     * stretch cut off by a gap is not shown; verify names the gap.) A later timeline without a backup of its own (after a promotion) continues the
     * window of the timeline before it, through its unbroken run from its first archived segment.
     */
    public List<Window> windows(List<BackupManifest> backups) {
        List<Window> windows = new ArrayList<>();
        for (TimelineId timeline : segments.keySet()) {
            PostgresSection.PhysicalInfo chosen = null;
            String chosenId = null;
            Archived end = null;
            for (BackupManifest m : backups) {
                PostgresSection.PhysicalInfo p = PostgresSection.physical(m);
                if (p == null || p.timeline() != timeline.value()
                        || !p.systemIdentifier().equals(Long.toUnsignedString(systemId))) {
                    continue;
                }
                long start = Lsn.parse(p.startLsn()).segment(segmentSize);
                long stop = Lsn.parse(p.stopLsn()).segment(segmentSize);
                Optional<Archived> run = runEnd(timeline, start);
                if (run.isEmpty() || run.get().name().segment() < stop) {
                    continue;
                }
                long reach = run.get().name().segment();
                if (chosen == null || reach > end.name().segment()
                        || reach == end.name().segment() && p.stopTime().isBefore(chosen.stopTime())) {
                    chosen = p;
                    chosenId = m.backupId();
                    end = run.get();
                }
            }
            if (chosen != null) {
                Instant to = end.stored().isBefore(chosen.stopTime()) ? chosen.stopTime() : end.stored();
                windows.add(new Window(timeline, chosenId, chosen.stopTime(), to, end.name()));
            } else if (!windows.isEmpty()) {
                // a later timeline (a promotion): recovery starts from the older timeline's backup and
                // follows the history file onto this one, as far as its segments run unbroken
                Window parent = windows.get(windows.size() - 1);
                Optional<Archived> run = runEnd(timeline, segments.get(timeline).firstKey());
                if (run.isPresent()) {
                    Instant to = run.get().stored().isBefore(parent.from()) ? parent.from() : run.get().stored();
                    windows.add(new Window(timeline, parent.backupId(), parent.from(), to, run.get().name()));
                }
            }
        }
        return windows;
    }
}

package io.arca.app.prune;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.arca.app.job.RunResult;
import io.arca.core.repo.BackupManifest;
import io.arca.core.storage.StorageUrl;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a prune decided and did.
 *
 * @param repository the repository pruned
 * @param subject the subject whose backups were judged, or null for all
 * @param dryRun whether nothing was changed
 * @param savedPolicy the retention policy saved in the repository first, or null
 * @param backups a decision per backup folder: complete backups newest first, then incomplete
 *     folders, then folders whose manifest cannot be read (always kept)
 * @param wal per cluster, the archived WAL that no kept physical backup needs (removed unless a dry run)
 * @param runsRemoved run records deleted (0 in a dry run)
 * @param runsBefore the records of runs started before this day were deleted
 */
public record PruneResult(StorageUrl repository, String subject, boolean dryRun, Map<String, String> savedPolicy,
        List<Decision> backups, List<WalExpiry> wal, int runsRemoved, Instant runsBefore) implements RunResult {
    public PruneResult {
        backups = List.copyOf(backups);
        wal = List.copyOf(wal);
    }

    /** {@code keep}, {@code remove} (dry run) or {@code removed}. */
    public static final String KEEP = "keep";

    /** What a decision is about. */
    public enum Kind {
        /** A complete backup. */
        BACKUP,
        /** A folder without a manifest. */
        INCOMPLETE,
        /** A folder whose manifest cannot be read: kept. */
        UNREADABLE
    }

    /**
     * Keep or remove one backup folder.
     *
     * @param action {@code keep}, {@code remove} (dry run) or {@code removed}
     * @param backupId the backup's id (the folder's name for the others)
     * @param kind what the folder is
     * @param backup the backup's manifest; null for the other kinds
     * @param reasons why
     */
    public record Decision(String action, String backupId, Kind kind, @JsonIgnore BackupManifest backup,
            List<String> reasons) {
        public Decision {
            reasons = List.copyOf(reasons);
        }

        public boolean kept() {
            return KEEP.equals(action);
        }

        /** When the backup started; null but for complete backups. */
        @JsonProperty
        public Instant startedAt() {
            return backup == null ? null : backup.startedAt();
        }

        /** Its stored bytes; null but for complete backups. */
        @JsonProperty
        public Long storedSize() {
            return backup == null ? null : backup.storedSize();
        }
    }

    /**
     * The archived WAL of one cluster that no kept physical backup needs.
     *
     * @param systemIdentifier the cluster's system identifier (unsigned)
     * @param keepFrom the first segment kept: where its oldest kept physical backup starts
     * @param files how many files go
     */
    public record WalExpiry(String systemIdentifier, String keepFrom, int files) {
    }

    /** How many backup folders were (or, in a dry run, would be) removed. */
    public long removed() {
        return backups.stream().filter(d -> !d.kept()).count();
    }

    /** The stored bytes of the complete backups removed (or that would be). */
    public long freedBytes() {
        return backups.stream().filter(d -> !d.kept() && d.kind() == Kind.BACKUP).mapToLong(Decision::storedSize).sum();
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("removed", Long.toString(removed()));
        d.put("kept", Long.toString(backups.size() - removed()));
        d.put("freedBytes", Long.toString(freedBytes()));
        d.put("walFilesRemoved", Integer.toString(wal.stream().mapToInt(WalExpiry::files).sum()));
        d.put("runsRemoved", Integer.toString(runsRemoved));
        return d;
    }
}

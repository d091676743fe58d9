package io.arca.app.copy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.arca.app.job.RunResult;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.Repository;
import io.arca.core.storage.StorageUrl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a copy did.
 *
 * @param from the repository copied from
 * @param to the repository copied into
 * @param backups each backup considered, oldest first
 * @param damaged backups of the source that were not copied because their manifest cannot be
 *     trusted (with {@code all}); the run is then partial, with {@link ErrorCode#VERIFICATION_FAILED}
 */
public record CopyResult(StorageUrl from, StorageUrl to, List<Copied> backups, List<Repository.Damaged> damaged)
        implements RunResult {
    public CopyResult {
        backups = List.copyOf(backups);
        damaged = List.copyOf(damaged);
    }

    /** What became of one backup. */
    public enum Outcome {
        /** Copied and verified. */
        COPIED,
        /** The destination had it already. */
        ALREADY_PRESENT,
        /** A physical backup, left out: its WAL would have to be copied too. */
        SKIPPED_PHYSICAL
    }

    /**
     * One backup's copy.
     *
     * @param backupId the backup
     * @param outcome what became of it
     * @param storedSize its stored bytes
     */
    public record Copied(String backupId, Outcome outcome, long storedSize) {
    }

    @Override
    public Long storedBytes() {
        return backups.stream().filter(b -> b.outcome() == Outcome.COPIED).mapToLong(Copied::storedSize).sum();
    }

    @Override
    public String backupId() {
        List<Copied> copied = backups.stream().filter(b -> b.outcome() != Outcome.SKIPPED_PHYSICAL).toList();
        return copied.size() == 1 ? copied.get(0).backupId() : null;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("to", to.toString());
        for (Outcome o : Outcome.values()) {
            long n = backups.stream().filter(b -> b.outcome() == o).count();
            if (n > 0) {
                d.put(o.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), Long.toString(n));
            }
        }
        if (!damaged.isEmpty()) {
            d.put("damaged", Integer.toString(damaged.size()));
        }
        return d;
    }

    /** {@link ErrorCode#VERIFICATION_FAILED} naming the first damaged backup left behind; null when none was. */
    @JsonIgnore
    @Override
    public ArcaException partialFailure() {
        if (damaged.isEmpty()) {
            return null;
        }
        Repository.Damaged d = damaged.get(0);
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, damaged.size() + " damaged backup(s) not copied: '"
                + (d.id() != null ? d.id() : d.folder()) + "': " + d.problem()
                + (damaged.size() > 1 ? " (and " + (damaged.size() - 1) + " more)" : ""),
                "check them with 'arca verify --all --repo " + from + "'");
    }
}

package io.arca.app.backup;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.arca.app.job.Failures;
import io.arca.app.job.RunResult;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.storage.StorageUrl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A backup that was taken: its manifest, the repositories that hold it, and the copies that failed.
 *
 * @param subject the subject's name its run is recorded under
 * @param manifest the committed manifest
 * @param repositories the repositories that hold the backup: the first one it was taken into, then
 *     every one it was copied into
 * @param failedCopies the further repositories the copy failed for, with why (the run is then
 *     partial)
 */
public record BackupResult(String subject, BackupManifest manifest, List<StorageUrl> repositories,
        List<FailedCopy> failedCopies) implements RunResult {
    public BackupResult {
        repositories = List.copyOf(repositories);
        failedCopies = List.copyOf(failedCopies);
    }

    /**
     * A copy into a further repository that failed.
     *
     * @param repository the repository
     * @param errorCode the failure's code ({@code ARCA-1013})
     * @param message its one-line message
     * @param exception the failure itself, for a front end that reports it in full
     */
    public record FailedCopy(StorageUrl repository, String errorCode, String message,
            @JsonIgnore RuntimeException exception) {
        /** The failure {@code e} of the copy into {@code repository}. */
        public static FailedCopy of(StorageUrl repository, RuntimeException e) {
            ArcaException a = Failures.of(e);
            return new FailedCopy(repository, "ARCA-" + a.code().number(), a.getMessage(), e);
        }
    }

    @Override
    public Long bytes() {
        return manifest.size();
    }

    @Override
    public Long storedBytes() {
        return manifest.storedSize();
    }

    @Override
    public String backupId() {
        return manifest.backupId();
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("repositories", repositories.stream().map(StorageUrl::toString).collect(Collectors.joining(" ")));
        if (!failedCopies.isEmpty()) {
            d.put("failedCopies", failedCopies.stream().map(f -> f.repository().toString())
                    .collect(Collectors.joining(" ")));
        }
        return d;
    }

    /** {@link ErrorCode#PARTIAL} naming the repositories the backup did not reach; null when it reached all. */
    @JsonIgnore
    @Override
    public ArcaException partialFailure() {
        if (failedCopies.isEmpty()) {
            return null;
        }
        StorageUrl first = repositories.get(0);
        return new ArcaException(ErrorCode.PARTIAL, "backup " + manifest.backupId() + " is complete in '" + first
                + "' but not in " + failedCopies.stream().map(f -> "'" + f.repository() + "'")
                        .collect(Collectors.joining(", ")),
                "copy it later with 'arca copy " + manifest.backupId() + " --from " + first + " --to URL'");
    }
}

package io.arca.app.verify;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.arca.app.job.RunResult;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.logical.VerifyReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a verification found, in each repository.
 *
 * @param subject the subject its run is recorded for
 * @param all whether every backup was checked
 * @param repositories each repository's reports, in the order checked
 * @param intactBefore for a single backup that failed: the newest backup before it that verifies
 *     (empty when none does), else null
 */
public record VerifyResult(String subject, boolean all, List<RepositoryReports> repositories,
        @JsonIgnore String intactBefore) implements RunResult {

    public VerifyResult {
        repositories = List.copyOf(repositories);
    }

    /**
     * The reports of one repository.
     *
     * @param repository its URL
     * @param reports one per backup, damaged ones first
     */
    public record RepositoryReports(String repository, List<VerifyReport> reports) {
        public RepositoryReports {
            reports = List.copyOf(reports);
        }
    }

    /** Every report, repository by repository. */
    @JsonIgnore
    public List<VerifyReport> reports() {
        List<VerifyReport> all = new ArrayList<>();
        repositories.forEach(r -> all.addAll(r.reports()));
        return all;
    }

    @JsonProperty("ok")
    public boolean ok() {
        return reports().stream().allMatch(VerifyReport::ok);
    }

    /**
     * Null when every backup verified; else {@link ErrorCode#VERIFICATION_FAILED} naming the first
     * bad backup and its first bad check, with what to rely on instead.
     */
    public ArcaException failure() {
        VerifyReport bad = reports().stream().filter(r -> !r.ok()).findFirst().orElse(null);
        if (bad == null) {
            return null;
        }
        VerifyReport.ArtifactCheck first = bad.artifacts().stream().filter(c -> !c.ok()).findFirst().orElseThrow();
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, "backup '" + bad.backupId() + "' failed verification: "
                + (first.name().startsWith("WAL ") || first.name().startsWith("section ")
                        || first.name().equals(VerifyReport.ENCRYPTION) ? first.name()
                        : "artifact '" + first.name() + "'") + ": " + first.problem(),
                "do not rely on this backup; " + (intactBefore == null || intactBefore.isEmpty()
                        ? "restore an older one" : "the newest backup before it that verifies is '" + intactBefore
                        + "'") + ", and take a new backup");
    }

    /** The backup verified, when one was named (not {@code all}). */
    @Override
    public String backupId() {
        List<VerifyReport> reports = reports();
        return all || reports.isEmpty() ? null : reports.get(0).backupId();
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        List<VerifyReport> reports = reports();
        d.put("backups", String.valueOf(reports.stream().map(VerifyReport::backupId).distinct().count()));
        d.put("failed", String.valueOf(reports.stream().filter(r -> !r.ok()).count()));
        d.put("repositories", String.valueOf(repositories.size()));
        return d;
    }
}

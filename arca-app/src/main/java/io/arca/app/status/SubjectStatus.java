package io.arca.app.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.arca.app.catalog.BackupSummary;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.status.RecoveryObjectives;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How one subject stands: its newest backup against the RPO, what it can be recovered to, its
 * drills against the RTO and drill-within, its last runs, and its problems.
 *
 * <p>As JSON (the shape {@code arca status -o json} has always had, plus {@code subject},
 * {@code recoverable}, {@code runs} and the problems by kind): durations in seconds, a measured
 * recovery time in milliseconds, the newest backup's and last drill's fields flat.
 *
 * @param subject the subject's name ({@link io.arca.app.catalog.SubjectNames}); {@code *} for a
 *     repository without any backup judged against objectives
 * @param objectives the objectives it was judged by
 * @param newestBackup its newest full backup that counts for the RPO, or null
 * @param backupAge that backup's age, or null
 * @param rpoMet whether it meets the RPO; null when no RPO is set
 * @param recoverable what it can be recovered to, or null without a backup
 * @param lastDrill its newest drill, or null
 * @param lastDrillAge how long ago that drill started, or null
 * @param lastPassedDrill its newest passing drill, or null
 * @param measuredRto the recovery time that drill measured, or null
 * @param rtoMet whether that meets the RTO; null when unchecked or unmeasured
 * @param drillWithinMet whether a drill passed within drill-within; null when that check is off
 * @param runs its last runs by job ({@code backup}, {@code verify}, ...): last, last success, last failure
 * @param backupProblems what is wrong with its backups
 * @param drillProblems what is wrong with its drills
 * @param runProblems its last runs that failed after the last success ({@code last backup failed at ...})
 */
@JsonPropertyOrder({"database", "subject", "ok", "problems"})
public record SubjectStatus(String subject, @JsonIgnore RecoveryObjectives objectives,
        @JsonIgnore BackupSummary newestBackup, @JsonIgnore Duration backupAge, Boolean rpoMet, Recoverable recoverable,
        @JsonIgnore DrillRecord lastDrill, @JsonIgnore Duration lastDrillAge, @JsonIgnore DrillRecord lastPassedDrill,
        @JsonIgnore Duration measuredRto, Boolean rtoMet, Boolean drillWithinMet, Map<String, RunLog.Latest> runs,
        List<String> backupProblems, List<String> drillProblems, List<String> runProblems) {

    public SubjectStatus {
        runs = Map.copyOf(runs);
        backupProblems = List.copyOf(backupProblems);
        drillProblems = List.copyOf(drillProblems);
        runProblems = List.copyOf(runProblems);
    }

    /** Every problem: backups, then drills, then runs; empty when all is well. */
    @JsonProperty("problems")
    public List<String> problems() {
        List<String> all = new ArrayList<>(backupProblems);
        all.addAll(drillProblems);
        all.addAll(runProblems);
        return all;
    }

    /** True when it meets every objective checked and no last run failed. */
    @JsonProperty("ok")
    public boolean ok() {
        return backupProblems.isEmpty() && drillProblems.isEmpty() && runProblems.isEmpty();
    }

    /** The subject under the name {@code arca status} has always given it. */
    @JsonProperty("database")
    public String database() {
        return subject;
    }

    @JsonProperty("backupId")
    String backupId() {
        return newestBackup == null ? null : newestBackup.id();
    }

    @JsonProperty("backupStartedAt")
    Instant backupStartedAt() {
        return newestBackup == null ? null : newestBackup.startedAt();
    }

    @JsonProperty("backupAgeSeconds")
    Long backupAgeSeconds() {
        return backupAge == null ? null : backupAge.toSeconds();
    }

    @JsonProperty("backupBytes")
    Long backupBytes() {
        return newestBackup == null ? null : newestBackup.size();
    }

    @JsonProperty("backupStoredBytes")
    Long backupStoredBytes() {
        return newestBackup == null ? null : newestBackup.storedSize();
    }

    @JsonProperty("rpoSeconds")
    Long rpoSeconds() {
        return seconds(objectives.rpo());
    }

    @JsonProperty("lastDrillId")
    String lastDrillId() {
        return lastDrill == null ? null : lastDrill.drillId();
    }

    @JsonProperty("lastDrillStartedAt")
    Instant lastDrillStartedAt() {
        return lastDrill == null ? null : lastDrill.startedAt();
    }

    @JsonProperty("lastDrillAgeSeconds")
    Long lastDrillAgeSeconds() {
        return lastDrillAge == null ? null : lastDrillAge.toSeconds();
    }

    @JsonProperty("lastDrillVerdict")
    String lastDrillVerdict() {
        return lastDrill == null ? null : lastDrill.verdict();
    }

    @JsonProperty("lastDrillFailure")
    String lastDrillFailure() {
        return lastDrill == null ? null : lastDrill.failure();
    }

    @JsonProperty("lastPassedDrillId")
    String lastPassedDrillId() {
        return lastPassedDrill == null ? null : lastPassedDrill.drillId();
    }

    @JsonProperty("lastPassedDrillStartedAt")
    Instant lastPassedDrillStartedAt() {
        return lastPassedDrill == null ? null : lastPassedDrill.startedAt();
    }

    @JsonProperty("measuredRtoMillis")
    Long measuredRtoMillis() {
        return measuredRto == null ? null : measuredRto.toMillis();
    }

    @JsonProperty("rtoSeconds")
    Long rtoSeconds() {
        return seconds(objectives.rto());
    }

    @JsonProperty("drillWithinSeconds")
    Long drillWithinSeconds() {
        return seconds(objectives.drillWithin());
    }

    private static Long seconds(Duration d) {
        return d == null ? null : d.toSeconds();
    }
}

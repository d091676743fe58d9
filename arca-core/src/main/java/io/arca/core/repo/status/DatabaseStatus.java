package io.arca.core.repo.status;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How one database stands against its recovery objectives (see {@link RecoveryStatus} for the rules).
 *
 * @param database the database name
 * @param objectives the objectives it was judged by
 * @param newestBackup its newest valid backup (complete, full, not a safety backup), or null
 * @param backupAge how long ago that backup started (zero for a start after now), or null
 * @param rpoMet whether that backup meets the RPO; null when no RPO is set
 * @param lastDrill its newest drill, passed or failed, or null
 * @param lastPass its newest passing drill, or null
 * @param measuredRto the recovery time that passing drill measured, or null
 * @param rtoMet whether the measured recovery time meets the RTO; null when no RTO is set or none was measured
 * @param drillWithinMet whether a drill passed within drill-within; null when that check is off
 * @param backupProblems what is wrong with its backups, one line each ({@code no backup}, ...)
 * @param drillProblems what is wrong with its drills, one line each ({@code no drill passed in the last 7d}, ...)
 */
public record DatabaseStatus(String database, RecoveryObjectives objectives, BackupManifest newestBackup,
        Duration backupAge, Boolean rpoMet, DrillRecord lastDrill, DrillRecord lastPass, Duration measuredRto,
        Boolean rtoMet, Boolean drillWithinMet, List<String> backupProblems, List<String> drillProblems) {

    public DatabaseStatus {
        backupProblems = List.copyOf(backupProblems);
        drillProblems = List.copyOf(drillProblems);
    }

    /** Every problem, backup problems first; empty when every objective is met. */
    public List<String> problems() {
        List<String> all = new ArrayList<>(backupProblems);
        all.addAll(drillProblems);
        return all;
    }

    /** True when every objective that is checked is met. */
    public boolean ok() {
        return backupProblems.isEmpty() && drillProblems.isEmpty();
    }
}

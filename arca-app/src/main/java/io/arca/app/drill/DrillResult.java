package io.arca.app.drill;

import io.arca.app.job.RunResult;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.DrillRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A drill's outcome: its evidence, written to the repository whether it passed or failed.
 *
 * @param subject the subject its run is recorded for
 * @param repository the repository's URL
 * @param evidence the key of the evidence in the repository ({@code drills/YYYY/MM/DD/<id>.json})
 * @param drill the evidence
 */
public record DrillResult(String subject, String repository, String evidence, DrillRecord drill) implements RunResult {

    public boolean passed() {
        return drill.passed();
    }

    /** Null when the drill passed; else {@link ErrorCode#VERIFICATION_FAILED} naming its first problem. */
    public ArcaException failure() {
        if (drill.passed()) {
            return null;
        }
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, "drill " + drill.drillId() + " of backup '"
                + drill.backupId() + "' failed: " + drill.failure(), "the evidence is in " + evidence
                + "; do not rely on this backup until a drill passes (restore an older one if needed)");
    }

    @Override
    public String backupId() {
        return drill.backupId();
    }

    /** The drill's id and verdict, and the measured recovery time against its target. */
    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("drillId", drill.drillId());
        d.put("verdict", drill.verdict());
        if (drill.rtoMillis() != null) {
            d.put("rtoMillis", String.valueOf(drill.rtoMillis()));
        }
        if (drill.rtoTarget() != null) {
            d.put("rtoTarget", drill.rtoTarget());
        }
        return d;
    }
}

package io.arca.app.notify;

import io.arca.app.status.SubjectStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One objective a subject misses, as a status check found it.
 *
 * @param objective which objective ({@code rpo}, {@code rto}, {@code drill-within}, ...): what a
 *     {@link Notifier} compares from one check to the next, so it must not change while the miss lasts
 * @param message what is wrong, for people ({@code newest backup is 40h old, rpo is 36h}); may differ at each check
 */
public record ObjectiveMiss(String objective, String message) {
    public ObjectiveMiss {
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The objectives a subject's status says it misses: {@code rpo} (any backup problem: no backup,
     * or the newest is too old), {@code rto} and {@code drill-within} as judged, and {@code drill}
     * for another drill problem (the last drill failed). Failed runs are left out: a failure
     * notification tells of them already.
     */
    public static List<ObjectiveMiss> of(SubjectStatus status) {
        List<ObjectiveMiss> misses = new ArrayList<>();
        if (!status.backupProblems().isEmpty()) {
            misses.add(new ObjectiveMiss("rpo", String.join("; ", status.backupProblems())));
        }
        if (!status.drillProblems().isEmpty()) {
            String drills = String.join("; ", status.drillProblems());
            boolean judged = false;
            if (Boolean.FALSE.equals(status.rtoMet())) {
                misses.add(new ObjectiveMiss("rto", drills));
                judged = true;
            }
            if (Boolean.FALSE.equals(status.drillWithinMet())) {
                misses.add(new ObjectiveMiss("drill-within", drills));
                judged = true;
            }
            if (!judged) {
                misses.add(new ObjectiveMiss("drill", drills));
            }
        }
        return misses;
    }
}

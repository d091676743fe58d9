package io.arca.app.notify;

import io.arca.core.repo.retention.DurationText;
import io.arca.core.repo.run.RunRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A notice as text for people: a one-line title (email subject, Slack fallback) and a few lines of detail. */
final class NoticeText {
    private NoticeText() {
    }

    /** {@code backup of app failed (ARCA-1500)}, {@code backup of app succeeded again}, ... */
    static String title(Notice n) {
        return switch (n.event()) {
            case FAILURE -> what(n) + (RunRecord.PARTIAL.equals(n.outcome()) ? " partly failed" : " failed")
                    + (n.errorCode() == null ? "" : " (" + n.errorCode() + ")");
            case RECOVERY -> what(n) + " succeeded again";
            case OBJECTIVE_MISSED -> n.subject() + " misses its objectives ("
                    + String.join(", ", n.objectives().stream().map(ObjectiveMiss::objective).toList()) + ")";
            case OBJECTIVE_MET -> n.subject() + " meets its objectives again";
        };
    }

    /** The job and subject: {@code backup of app}, {@code prune of the whole repository}. */
    static String what(Notice n) {
        String subject = RunRecord.ALL_SUBJECTS.equals(n.subject()) ? "the whole repository" : n.subject();
        return n.job() == null ? subject : n.job() + " of " + subject;
    }

    /** The details as label and value pairs, in the order they are shown. */
    static List<String[]> facts(Notice n) {
        List<String[]> facts = new ArrayList<>();
        facts.add(new String[] {"subject", n.subject()});
        if (n.job() != null) {
            facts.add(new String[] {"job", n.job()});
        }
        if (n.runId() != null) {
            facts.add(new String[] {"run", n.runId()});
        }
        if (n.outcome() != null) {
            facts.add(new String[] {"outcome", n.outcome()});
        }
        if (n.errorCode() != null) {
            facts.add(new String[] {"error code", n.errorCode()});
        }
        if (n.startedAt() != null) {
            facts.add(new String[] {"started", n.startedAt().toString()});
        }
        Duration took = n.duration();
        if (took != null) {
            facts.add(new String[] {"took", took.getSeconds() == 0 ? took.toMillis() + "ms"
                    : DurationText.format(Duration.ofSeconds(took.getSeconds()))});
        }
        if (n.backupId() != null) {
            facts.add(new String[] {"backup", n.backupId()});
        }
        if (n.host() != null) {
            facts.add(new String[] {"host", n.host()});
        }
        if (n.previous() != null) {
            Notice.Previous p = n.previous();
            facts.add(new String[] {"previous run", p.runId() + " " + p.outcome()
                    + (p.errorCode() == null ? "" : " (" + p.errorCode() + ")") + " at " + p.finishedAt()});
        }
        return facts;
    }

    /** The body of an email: the message, the objectives missed, then the facts. */
    static String body(Notice n) {
        StringBuilder b = new StringBuilder();
        b.append(title(n)).append("\n\n");
        if (n.event() == Notice.Event.OBJECTIVE_MISSED) {
            for (ObjectiveMiss m : n.objectives()) {
                b.append("- ").append(m.objective()).append(": ").append(m.message()).append('\n');
            }
            b.append('\n');
        } else if (n.message() != null) {
            b.append(n.message()).append("\n\n");
        }
        for (String[] f : facts(n)) {
            b.append(f[0]).append(": ").append(f[1]).append('\n');
        }
        b.append("\n-- \narca, at ").append(n.at()).append('\n');
        return b.toString();
    }
}

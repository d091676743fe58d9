package io.arca.cli;

import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import io.arca.core.repo.run.RunRecord;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The log of {@code arca server} on standard error: one line per run start and end, per record
 * that could not be written, and per thing the server did or failed to do; each line begins with
 * the UTC time. Passwords in URLs are masked, so a line is safe to ship to a log collector.
 * Thread-safe.
 */
final class ServerLog implements JobListener, Consumer<String> {
    // scheme://user:password@host, and password=... in query strings or connection strings
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/\\s:@]*):[^@\\s/]*@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&\\s]*");

    private final PrintWriter err;
    private final Clock clock;

    ServerLog(PrintWriter err, Clock clock) {
        this.err = err;
        this.clock = clock;
    }

    @Override
    public void on(JobEvent event) {
        if (event instanceof JobEvent.Started s) {
            line(s.job() + " '" + s.subject() + "': started (" + s.trigger() + ", run " + s.runId() + ")");
        } else if (event instanceof JobEvent.Finished f) {
            line(finished(f.record()));
        } else if (event instanceof JobEvent.RecordNotWritten n) {
            line("run " + n.runId() + ": record not written to " + n.repository() + ": " + n.reason());
        }
    }

    /** A note of the server's own (listening, leadership, shutdown, a schedule that could not start). */
    @Override
    public void accept(String note) {
        line("server: " + note);
    }

    static String finished(RunRecord r) {
        StringBuilder b = new StringBuilder(r.job()).append(" '").append(r.subject()).append("': ").append(r.outcome())
                .append(" in ").append(Text.duration(r.duration()));
        if (r.storedBytes() != null) {
            b.append(", ").append(Text.bytes(r.storedBytes())).append(" stored");
        }
        if (r.backupId() != null) {
            b.append(", backup ").append(r.backupId());
        }
        if (!r.succeeded()) {
            b.append(": ").append(r.errorCode()).append(' ').append(r.message());
        }
        return b.append(" (run ").append(r.runId()).append(')').toString();
    }

    private void line(String text) {
        String safe = mask(text).replace('\n', ' ');
        synchronized (err) {
            err.println(clock.instant().truncatedTo(ChronoUnit.SECONDS) + " " + safe);
            err.flush();
        }
    }

    /** {@code text} with the passwords of URLs and {@code password=} settings replaced by {@code ***}. */
    static String mask(String text) {
        String s = URL_PASSWORD.matcher(text).replaceAll("$1:***@");
        return PASSWORD_PARAM.matcher(s).replaceAll("$1***");
    }
}

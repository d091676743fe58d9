package io.arca.cli;

import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import java.io.PrintWriter;

/**
 * What a command that records its run tells the user about the recording: a run record that could
 * not be written is a warning (the command's own outcome stands).
 */
final class RunNotes {
    private RunNotes() {
    }

    static JobListener to(PrintWriter err) {
        return e -> {
            if (e instanceof JobEvent.RecordNotWritten n) {
                synchronized (err) {
                    err.println("warning: the record of run " + n.runId() + " was not written to " + n.repository()
                            + ": " + n.reason());
                    err.flush();
                }
            }
        };
    }

    /** The subject a run records: the one given, checked; null when none was given. */
    static String subject(String given) {
        if (given == null) {
            return null;
        }
        if (given.isBlank() || given.equals(io.arca.core.repo.run.RunRecord.ALL_SUBJECTS)
                || given.chars().anyMatch(Character::isISOControl)) {
            throw new io.arca.core.error.UsageException("invalid --subject '" + given
                    + "': give the subject's name, such as the application's");
        }
        return given;
    }
}

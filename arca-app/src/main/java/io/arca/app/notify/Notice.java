package io.arca.app.notify;

import io.arca.core.error.ErrorCode;
import io.arca.core.repo.run.RunRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one notification says; every channel renders the same notice (see {@code docs/notifications.md}
 * for the webhook's JSON). Run fields are null for objective notices.
 *
 * @param event what happened
 * @param subject the subject ({@code *}: a run over the whole repository)
 * @param job the job ({@code backup}, {@code verify}, ...), or null
 * @param runId the run, or null
 * @param outcome the run's outcome ({@code failed}, {@code partial}, {@code succeeded}), or null
 * @param errorCode the stable error code ({@code ARCA-1500}), or null
 * @param exitCode the exit code of that outcome, or null
 * @param message the one-line error message, or null
 * @param startedAt when the run started, or null
 * @param finishedAt when it ended, or null
 * @param backupId the backup it made or used, or null
 * @param bytes the plain bytes it handled, or null
 * @param storedBytes the bytes it stored, or null
 * @param host the host (or pod) it ran on, or that checked the objectives
 * @param previous for a recovery: the failed run before it; else null
 * @param objectives for an objective notice that something is missed: every objective missed now
 * @param at when the notice was made
 */
public record Notice(Event event, String subject, String job, String runId, String outcome, String errorCode,
        Integer exitCode, String message, Instant startedAt, Instant finishedAt, String backupId, Long bytes,
        Long storedBytes, String host, Previous previous, List<ObjectiveMiss> objectives, Instant at) {

    public Notice {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(at, "at");
        objectives = objectives == null ? List.of() : List.copyOf(objectives);
    }

    /** What a notice is about; {@link #category()} is what a channel's {@code on} selects. */
    public enum Event {
        FAILURE("failure", Category.FAILURE),
        RECOVERY("recovery", Category.RECOVERY),
        OBJECTIVE_MISSED("objective-missed", Category.OBJECTIVE),
        OBJECTIVE_MET("objective-met", Category.OBJECTIVE);

        private final String eventName;
        private final Category category;

        Event(String eventName, Category category) {
            this.eventName = eventName;
            this.category = category;
        }

        /** The name in the webhook's {@code event} field and the {@code X-Arca-Event} header. */
        public String eventName() {
            return eventName;
        }

        public Category category() {
            return category;
        }
    }

    /** The kinds of notice a channel subscribes to in its {@code on} list. */
    public enum Category {
        FAILURE, RECOVERY, OBJECTIVE;

        /** The name in {@code arca.yaml}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The failed run a recovery follows.
     *
     * @param runId its id
     * @param outcome {@code failed} or {@code partial}
     * @param errorCode its error code, or null
     * @param message its message, or null
     * @param finishedAt when it ended
     */
    public record Previous(String runId, String outcome, String errorCode, String message, Instant finishedAt) {
    }

    /** A run that failed or was partial. */
    public static Notice failure(RunRecord run, Instant at) {
        return ofRun(Event.FAILURE, run, null, at);
    }

    /** A run that succeeded after {@code before} had failed. */
    public static Notice recovery(RunRecord run, RunRecord before, Instant at) {
        return ofRun(Event.RECOVERY, run, new Previous(before.runId(), before.outcome(), before.errorCode(),
                before.message(), before.finishedAt()), at);
    }

    /** A subject misses {@code misses} (at least one of them newly). */
    public static Notice objectiveMissed(String subject, List<ObjectiveMiss> misses, String host, Instant at) {
        String text = String.join("; ", misses.stream().map(m -> m.objective() + ": " + m.message()).toList());
        ErrorCode code = ErrorCode.OBJECTIVES_MISSED;
        return new Notice(Event.OBJECTIVE_MISSED, subject, null, null, null, "ARCA-" + code.number(), code.exitCode(),
                text, null, null, null, null, null, host, null, misses, at);
    }

    /** A subject meets all its objectives again; {@code wereMissed} names the ones it missed. */
    public static Notice objectiveMet(String subject, List<String> wereMissed, String host, Instant at) {
        return new Notice(Event.OBJECTIVE_MET, subject, null, null, null, null, null,
                "meets its objectives again (missed before: " + String.join(", ", wereMissed) + ")", null, null,
                null, null, null, host, null, List.of(), at);
    }

    private static Notice ofRun(Event event, RunRecord r, Previous previous, Instant at) {
        return new Notice(event, r.subject(), r.job(), r.runId(), r.outcome(), r.errorCode(), r.exitCode(),
                r.message(), r.startedAt(), r.finishedAt(), r.backupId(), r.bytes(), r.storedBytes(), r.host(),
                previous, List.of(), at);
    }

    /** How long the run took, or null. */
    public Duration duration() {
        return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt);
    }
}

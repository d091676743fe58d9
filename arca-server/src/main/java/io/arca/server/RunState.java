package io.arca.server;

import io.arca.core.repo.run.RunRecord;
import java.time.Instant;

/**
 * A run as the server knows it.
 *
 * @param runId its id (the id of its record)
 * @param job the job
 * @param subject the subject
 * @param trigger {@code schedule} or {@code api}
 * @param state {@code queued}, {@code running}, or the record's outcome ({@code succeeded},
 *     {@code failed}, {@code partial}), or {@code cancelled} for a queued run that a shutdown or a
 *     lost leadership dropped before it started (it has no record)
 * @param queuedAt when it was submitted
 * @param startedAt when it started, or null while queued
 * @param record its record once finished, else null
 */
public record RunState(String runId, String job, String subject, String trigger, String state, Instant queuedAt,
        Instant startedAt, RunRecord record) {
    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String CANCELLED = "cancelled";
}

package io.arca.core.repo;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evidence of one restore drill, {@code drills/YYYY/MM/DD/<drill-id>.json}: which backup was
 * restored where, how long each phase took, what was checked with what result, and the verdict.
 * Written whether the drill passed or failed; never rewritten.
 *
 * @param formatVersion repository format version
 * @param drillId the drill's id (same form as a backup id, from the drill's start)
 * @param repositoryId the repository it was written to
 * @param backupId the backup that was restored
 * @param database the database the backup holds
 * @param startedAt when the drill started
 * @param finishedAt when it ended
 * @param backupStartedAt when the backup was taken
 * @param backupAgeSeconds the backup's age when the drill started (its recovery point, seen from then)
 * @param scratch where it was restored
 * @param tools versions of Arca and the PostgreSQL programs used
 * @param timings phase durations in milliseconds: {@code scratchMillis} (starting the scratch
 *     cluster or creating the scratch database), {@code restoreMillis} (fetch, decrypt, decompress
 *     and restore, streamed together), {@code checkMillis}, {@code cleanupMillis}
 * @param rtoMillis the measured recovery time: restore plus checks (what a real recovery of this
 *     backup into a ready server takes until it is known to be good); null when the restore failed
 * @param rtoTarget the recovery time objective the drill was measured against ({@code 4h}), or null
 * @param tables every table of the manifest, and every extra table found, with expected and actual rows
 * @param migration the schema migration version check, or null when the backup recorded none
 * @param checks the user's checks
 * @param sections the checks of the backup's other sections (Kubernetes objects, files, Qdrant
 *     snapshots): recovered into a scratch service where the drill was given one, else read and
 *     checked against the manifest
 * @param verdict {@code pass} or {@code fail}
 * @param failure the first problem, one line naming it, or null
 */
public record DrillRecord(int formatVersion, String drillId, String repositoryId, String backupId, String database,
        Instant startedAt, Instant finishedAt, Instant backupStartedAt, long backupAgeSeconds, Scratch scratch,
        Map<String, String> tools, Map<String, Long> timings, Long rtoMillis, String rtoTarget, List<TableCheck> tables,
        MigrationCheck migration, List<QueryCheck> checks, List<SectionCheck> sections, String verdict,
        String failure) {
    public static final String PASS = "pass";
    public static final String FAIL = "fail";

    public DrillRecord {
        // in the order given: the evidence reads in the order the drill ran
        tools = tools == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tools));
        timings = timings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(timings));
        tables = tables == null ? List.of() : List.copyOf(tables);
        checks = checks == null ? List.of() : List.copyOf(checks);
        sections = sections == null ? List.of() : List.copyOf(sections);
    }

    /** Evidence without section checks. */
    public DrillRecord(int formatVersion, String drillId, String repositoryId, String backupId, String database,
            Instant startedAt, Instant finishedAt, Instant backupStartedAt, long backupAgeSeconds, Scratch scratch,
            Map<String, String> tools, Map<String, Long> timings, Long rtoMillis, String rtoTarget,
            List<TableCheck> tables, MigrationCheck migration, List<QueryCheck> checks, String verdict, String failure) {
        this(formatVersion, drillId, repositoryId, backupId, database, startedAt, finishedAt, backupStartedAt,
                backupAgeSeconds, scratch, tools, timings, rtoMillis, rtoTarget, tables, migration, checks, List.of(),
                verdict, failure);
    }

    public boolean passed() {
        return PASS.equals(verdict);
    }

    public BackupId id() {
        return new BackupId(drillId);
    }

    /**
     * Where the backup was restored.
     *
     * @param kind {@code ephemeral-cluster} (started by Arca and removed) or {@code server} (a scratch
     *     database on an existing server, dropped afterwards)
     * @param serverVersion the scratch server's version
     * @param host host and port (server kind), or null
     * @param database the scratch database's name
     */
    public record Scratch(String kind, String serverVersion, String host, String database) {
    }

    /**
     * A table: whether the backup's manifest lists it, the rows it recorded (null without row
     * counts), the rows found after the restore (null when the table is missing), and the result.
     */
    public record TableCheck(String schema, String name, boolean inBackup, Long expectedRows, Long actualRows,
            boolean ok) {
    }

    /**
     * The migration version recorded in the backup ({@code flyway}, {@code 42}) against the one
     * found after the restore (both null when none was found).
     */
    public record MigrationCheck(String expectedTool, String expected, String actualTool, String actual, boolean ok) {
    }

    /**
     * One section of the backup, drilled.
     *
     * @param source the section's source
     * @param subject its subject
     * @param checks what was checked, one line each
     * @param ok whether every check passed
     * @param problem the first problem, or null
     */
    public record SectionCheck(String source, String subject, List<String> checks, boolean ok, String problem) {
        public SectionCheck {
            checks = checks == null ? List.of() : List.copyOf(checks);
        }
    }

    /** A user check: a query returning one value, the expectation ({@code >0}, {@code =42}, ...), the value, the result. */
    public record QueryCheck(String sql, String expect, String actual, boolean ok) {
    }
}

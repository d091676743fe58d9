package io.arca.app.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.arca.core.repo.BackupManifest;
import io.arca.core.source.Section;
import io.arca.postgres.manifest.PostgresSection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One complete backup as {@code arca list}, {@code arca backup -o json} and the API show it.
 *
 * @param id the backup id
 * @param kind its sources: {@code logical}, {@code physical}, {@code logical+files}, ...
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param durationMillis how long it took
 * @param database the database it holds, or null (a physical backup, another source)
 * @param partial whether it holds only part of its database (table or schema filters)
 * @param size plain bytes
 * @param storedSize stored bytes
 * @param labels its labels
 * @param sections each section's source and subject
 * @param systemIdentifier a physical backup's cluster, else null
 * @param timeline a physical backup's timeline, else null
 * @param startLsn a physical backup's start, else null
 * @param stopLsn a physical backup's end, else null
 * @param subject the subject it counts for ({@link SubjectNames#primary})
 * @param recoverable the recovery windows that start from it (physical backups with WAL)
 * @param encryptionWarnings how its encryption differs from what the repository required, if it does
 */
public record BackupSummary(String id, String kind, Instant startedAt, Instant finishedAt, long durationMillis,
        String database, boolean partial, long size, long storedSize, Map<String, String> labels,
        List<SectionSummary> sections, String systemIdentifier, Integer timeline, String startLsn, String stopLsn,
        String subject, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RecoveryWindow> recoverable,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> encryptionWarnings) {

    /** One section: its source and its subject's URI. */
    public record SectionSummary(String source, String subject) {
    }

    /** The summary of {@code m} without recovery windows or warnings. */
    public static BackupSummary of(BackupManifest m) {
        return of(m, List.of(), List.of());
    }

    public static BackupSummary of(BackupManifest m, List<RecoveryWindow> recoverable, List<String> encryptionWarnings) {
        PostgresSection.Details details = PostgresSection.details(m);
        PostgresSection.PhysicalInfo p = details == null ? null : details.physical();
        return new BackupSummary(m.backupId(), kind(m), m.startedAt(), m.finishedAt(), m.duration().toMillis(),
                details == null || details.database() == null ? null : details.database().name(), m.partial(), m.size(),
                m.storedSize(), m.labels(),
                m.sections().stream().map(s -> new SectionSummary(s.source(),
                        s.subject() == null ? null : s.subject().uri())).toList(),
                p == null ? null : p.systemIdentifier(), p == null ? null : p.timeline(),
                p == null ? null : p.startLsn(), p == null ? null : p.stopLsn(), SubjectNames.primary(m),
                List.copyOf(recoverable), List.copyOf(encryptionWarnings));
    }

    /** {@code logical}, {@code physical}, {@code files}, {@code logical+kubernetes.objects+files}. */
    public static String kind(BackupManifest m) {
        return m.sections().stream().map(Section::source).map(s -> s.startsWith("postgresql.")
                ? s.substring("postgresql.".length()) : s).distinct().collect(Collectors.joining("+"));
    }
}

package io.arca.app.drill;

import io.arca.app.catalog.SubjectNames;
import io.arca.app.status.StatusService;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.source.BackupSources;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.core.source.SourceOptions;
import io.arca.core.source.VerifyContext;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.logical.DrillOptions;
import io.arca.postgres.logical.LogicalBackup;
import io.arca.postgres.logical.RestoreDrill;
import io.arca.postgres.manifest.BackupKind;
import io.arca.postgres.manifest.PostgresSection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Proves a backup by restoring it into a scratch target (a throwaway cluster, or a scratch
 * database on a server), checking it against its manifest and the user's checks, measuring the
 * recovery time against the RTO, and keeping the evidence in the repository. A failed drill is a
 * result ({@link DrillResult#failure()}), not an exception: its evidence is written either way.
 */
public final class DrillService {
    private final BackupSources sources;
    private final PgBinaries binaries;
    private final Progress progress;

    public DrillService(BackupSources sources, PgBinaries binaries, Progress progress) {
        this.sources = Objects.requireNonNull(sources);
        this.binaries = Objects.requireNonNull(binaries);
        this.progress = Objects.requireNonNull(progress);
    }

    /**
     * The backup {@code request} drills: by its ref, among the backups of its subject when it names
     * one; a logical backup or one with other sources' sections.
     *
     * @throws ArcaException BACKUP_NOT_FOUND, or USAGE for a physical backup (not drilled yet)
     */
    public static BackupManifest backupOf(Repository repo, DrillRequest request) {
        String ref = request.ref() == null ? "latest" : request.ref();
        BackupManifest backup = repo.resolve(ref, m -> (m.has(LogicalBackup.SOURCE) || !others(m).isEmpty())
                && (request.subject() == null || SubjectNames.holds(m, request.subject())),
                request.subject() == null ? "logical backup" : "logical backup of subject '" + request.subject() + "'",
                null);
        if (PostgresSection.kind(backup) == BackupKind.PHYSICAL) {
            throw new ArcaException(ErrorCode.USAGE, "backup " + backup.backupId() + " is a physical backup, which"
                    + " arca drill does not restore yet", "drill a logical backup, or verify this one with 'arca"
                    + " verify " + backup.backupId() + "'");
        }
        return backup;
    }

    /** The subject a drill of {@code request} is recorded for: the request's, else its backup's. */
    public static String subjectOf(Repository repo, DrillRequest request) {
        return request.subject() != null ? request.subject() : SubjectNames.primary(backupOf(repo, request));
    }

    /** Drills {@code request}'s backup of {@code repo} (with its keys set) and writes the evidence there. */
    public DrillResult drill(Repository repo, DrillRequest request) {
        BackupManifest backup = backupOf(repo, request);
        repo.requireReadable(backup);
        String subject = request.subject() != null ? request.subject() : SubjectNames.primary(backup);
        Duration target = StatusService.rtoTarget(repo, subject, request.rto(), request.objectives());
        List<Section> others = others(backup);
        DrillRecord d = new RestoreDrill(repo, binaries, progress).run(backup, new DrillOptions(request.scratchServer(),
                request.jobs(), request.checks(), target == null ? null : DurationText.format(target),
                others.isEmpty() ? null : () -> drillSections(repo, backup, others, request)));
        return new DrillResult(subject, repo.storage().url().toString(), Repository.drillKey(d.id()), d);
    }

    /** The sections of sources other than PostgreSQL. */
    private static List<Section> others(BackupManifest m) {
        return m.sections().stream().filter(s -> !s.source().startsWith("postgresql.")).toList();
    }

    /**
     * Each section drilled by its source: recovered into the scratch service its drill options
     * name, or else read whole and checked against the manifest (as verify does).
     */
    private List<DrillRecord.SectionCheck> drillSections(Repository repo, BackupManifest backup, List<Section> sections,
            DrillRequest request) {
        List<DrillRecord.SectionCheck> results = new ArrayList<>();
        for (Section section : sections) {
            String subject = String.valueOf(section.subject());
            var source = sources.find(section.source());
            if (source.isEmpty()) {
                results.add(new DrillRecord.SectionCheck(section.source(), subject, List.of(), false,
                        "a source this arca does not know; upgrade arca to drill it"));
                continue;
            }
            SourceOptions options = request.sectionOptions().apply(source.get());
            try {
                progress.note("drilling " + source.get().title() + " " + subject);
                var recovered = source.get().drill(new RestoreContext(repo, backup, false, progress), section, options);
                if (recovered.isPresent()) {
                    results.add(new DrillRecord.SectionCheck(section.source(), subject, recovered.get(), true, null));
                    continue;
                }
                List<String> problems = source.get().verify(new VerifyContext(repo, backup, progress), section);
                results.add(new DrillRecord.SectionCheck(section.source(), subject,
                        List.of("read whole and checked against the manifest (no scratch service given)"),
                        problems.isEmpty(), problems.isEmpty() ? null : String.join("; ", problems)));
            } catch (ArcaException e) {
                results.add(new DrillRecord.SectionCheck(section.source(), subject, List.of(), false, e.getMessage()));
            } catch (IOException e) {
                results.add(new DrillRecord.SectionCheck(section.source(), subject, List.of(), false,
                        "cannot read: " + e.getMessage()));
            }
        }
        return results;
    }
}

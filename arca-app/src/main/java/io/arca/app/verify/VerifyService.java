package io.arca.app.verify;

import io.arca.app.catalog.SubjectNames;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.EncryptionHistory;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.BackupSources;
import io.arca.core.source.Section;
import io.arca.core.source.VerifyContext;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.logical.LogicalVerifier;
import io.arca.postgres.logical.VerifyReport;
import io.arca.postgres.manifest.PostgresSection;
import io.arca.postgres.physical.PhysicalVerifier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Verifies backups without restoring them, in one or more repositories: every artifact's size,
 * digests and codec; a logical backup's archive structure and row counts; a physical backup's
 * files and WAL; each other section by its source; and the encryption the repository required.
 * A failed verification is a result ({@link VerifyResult#failure()}), not an exception: the
 * caller shows every report, then fails.
 */
public final class VerifyService {
    private final BackupSources sources;
    private final PgBinaries binaries;
    private final Progress progress;

    public VerifyService(BackupSources sources, PgBinaries binaries, Progress progress) {
        this.sources = Objects.requireNonNull(sources);
        this.binaries = Objects.requireNonNull(binaries);
        this.progress = Objects.requireNonNull(progress);
    }

    /**
     * The subject a verification of {@code request} is recorded for: the request's, else
     * {@code *} for every backup, else the subject of the backup it names
     * ({@link SubjectNames#primary}), resolved in {@code first}.
     */
    public static String subjectOf(Repository first, VerifyRequest request) {
        if (request.subject() != null) {
            return request.subject();
        }
        if (request.all()) {
            return RunRecord.ALL_SUBJECTS;
        }
        return SubjectNames.primary(resolve(first, request));
    }

    /** Verifies {@code request}'s backups in each of {@code repositories} (with their keys set), in order. */
    public VerifyResult verify(List<Repository> repositories, VerifyRequest request, VerifyListener listener) {
        if (repositories.isEmpty()) {
            throw new IllegalArgumentException("no repository to verify in");
        }
        String subject = subjectOf(repositories.get(0), request);
        String id = null;
        String intactBefore = null;
        List<VerifyResult.RepositoryReports> results = new ArrayList<>();
        for (Repository repo : repositories) {
            listener.repository(repo.storage().url().toString());
            Repository.Catalog catalog = request.all() ? repo.catalog() : null;
            List<BackupManifest> targets;
            if (request.all()) {
                targets = catalog.backups().stream()
                        .filter(m -> request.subject() == null || SubjectNames.holds(m, request.subject())).toList();
            } else {
                BackupManifest m = id == null ? resolve(repo, request) : repo.resolve(id);
                id = m.backupId();
                targets = List.of(m);
            }
            EncryptionHistory encryption = EncryptionHistory.of(repo.config(), request.all() ? targets : repo.list());
            encryption.repositoryWarnings().forEach(listener::warning);
            LogicalVerifier logical = new LogicalVerifier(repo, binaries, progress);
            PhysicalVerifier physical = new PhysicalVerifier(repo, progress);
            List<VerifyReport> here = new ArrayList<>();
            if (request.all() && request.subject() == null) {
                // a backup whose manifest cannot be trusted fails without reading anything else
                for (Repository.Damaged d : catalog.damaged()) {
                    VerifyReport r = new VerifyReport(d.id() != null ? d.id() : d.folder(), List.of(
                            new VerifyReport.ArtifactCheck(Repository.MANIFEST_FILE, false, List.of("manifest"),
                                    d.problem())));
                    here.add(r);
                    listener.report(r);
                }
            }
            for (BackupManifest m : targets) {
                VerifyReport r = PostgresSection.physical(m) != null ? physical.verify(m) : logical.verify(m);
                if (r.ok()) {
                    r = r.with(sectionChecks(repo, m));
                }
                r = r.withEncryptionWarnings(encryption.warnings(m));
                if (!request.all() && !r.ok() && intactBefore == null) {
                    intactBefore = repo.newestIntactBefore(m).map(BackupManifest::backupId).orElse("");
                }
                here.add(r);
                listener.report(r);
            }
            results.add(new VerifyResult.RepositoryReports(repo.storage().url().toString(), here));
        }
        return new VerifyResult(subject, request.all(), results, intactBefore);
    }

    private static BackupManifest resolve(Repository repo, VerifyRequest request) {
        String ref = request.ref() == null ? "latest" : request.ref();
        if (request.subject() == null) {
            return repo.resolve(ref);
        }
        return repo.resolve(ref, m -> SubjectNames.holds(m, request.subject()),
                "backup of subject '" + request.subject() + "'", null);
    }

    /**
     * The checks of each section of a source other than PostgreSQL's (whose artifacts the verifiers
     * checked): the source's own reading of its artifacts, or a note when this Arca does not know
     * the source or has no key to read them.
     */
    public List<VerifyReport.ArtifactCheck> sectionChecks(Repository repo, BackupManifest m) {
        List<VerifyReport.ArtifactCheck> checks = new ArrayList<>();
        for (Section section : m.sections()) {
            if (section.source().startsWith("postgresql.")) {
                continue;
            }
            String name = "section " + section.source() + " " + section.subject();
            var source = sources.find(section.source());
            if (source.isEmpty()) {
                checks.add(new VerifyReport.ArtifactCheck(name, true, List.of("a source this arca does not know:"
                        + " stored size and sha-256 only"), null));
                continue;
            }
            if (repo.decryptionKeys() == null && m.artifactsOf(section).stream().anyMatch(ArtifactRecord::encrypted)) {
                checks.add(new VerifyReport.ArtifactCheck(name, true, List.of("encrypted, no key given: stored size"
                        + " and sha-256 only"), null));
                continue;
            }
            try {
                List<String> problems = source.get().verify(new VerifyContext(repo, m, progress), section);
                checks.add(new VerifyReport.ArtifactCheck(name, problems.isEmpty(), List.of(source.get().title()
                        + " contents"), problems.isEmpty() ? null : String.join("; ", problems)));
            } catch (ArcaException e) {
                if (e.code() != ErrorCode.VERIFICATION_FAILED && e.code() != ErrorCode.STORAGE_NOT_FOUND) {
                    throw e;
                }
                checks.add(new VerifyReport.ArtifactCheck(name, false, List.of(source.get().title() + " contents"),
                        e.getMessage()));
            } catch (IOException e) {
                checks.add(new VerifyReport.ArtifactCheck(name, false, List.of(source.get().title() + " contents"),
                        "cannot read: " + e.getMessage()));
            }
            if (!checks.get(checks.size() - 1).ok()) {
                break;
            }
        }
        return checks;
    }
}

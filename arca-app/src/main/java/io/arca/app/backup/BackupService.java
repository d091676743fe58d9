package io.arca.app.backup;

import io.arca.app.event.JobEvent;
import io.arca.app.job.RunContext;
import io.arca.app.repo.OpenRepository;
import io.arca.core.Progress;
import io.arca.core.hook.Hooks;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupCopy;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Labels;
import io.arca.core.repo.Repository;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.CompositeBackup;
import io.arca.core.source.SourceOption;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.logical.LogicalBackup;
import io.arca.postgres.logical.LogicalBackupOptions;
import io.arca.postgres.physical.PhysicalBackup;
import io.arca.postgres.physical.PhysicalBackupOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Takes a backup: a logical one (the database with pg_dump, and any further sources, in one
 * manifest), or a physical one of the whole cluster; then copies it into every further repository.
 *
 * <p>Every repository is opened and leased (shared) first, and each must accept the encryption
 * keys, so that a bad URL, credential or key fails before anything is dumped. Each is named for the
 * run's record and closed when the record is written. A copy that fails does not fail the backup:
 * the result names it and is {@linkplain BackupResult#partialFailure() partial}.
 *
 * <p>Events: one {@link JobEvent.ArtifactStored} per artifact of the manifest once it is committed
 * (the engines report no artifact on its own, so {@code took} is null), then one {@link
 * JobEvent.Committed} for the repository it was taken into and one for each copy.
 */
public final class BackupService {
    private final Clock clock;

    public BackupService(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /** The job a request runs as: {@code backup}, or {@code physical-backup}. */
    public static RunRecord.Job job(BackupRequest request) {
        return request.isPhysical() ? RunRecord.Job.PHYSICAL_BACKUP : RunRecord.Job.BACKUP;
    }

    /**
     * The name a backup's run is recorded under: the request's subject, else its {@code subject}
     * label, else the database's name, else the name the first further source gives its subject
     * (the last path segment of its first listed value: {@code --files /srv/app/secrets} is
     * {@code secrets}, {@code --k8s-namespace shop} is {@code shop}), else that source's id. Known
     * before the backup runs, so that a failed run and a successful one have the same name.
     */
    public static String subjectName(BackupRequest request) {
        if (request.subject() != null) {
            return request.subject();
        }
        String label = request.labels().get(BackupRequest.SUBJECT_LABEL);
        if (label != null) {
            return label;
        }
        if (request.database() != null) {
            return request.database().database();
        }
        BackupRequest.Source first = request.sources().get(0);
        for (SourceOption o : first.source().backupOptions()) {
            if (o.repeatable()) {
                List<String> values = first.options().list(o.name());
                if (!values.isEmpty()) {
                    String v = values.get(0).replaceAll("/+$", "");
                    String last = v.substring(v.lastIndexOf('/') + 1);
                    if (!last.isEmpty()) {
                        return last;
                    }
                }
            }
        }
        return first.source().id();
    }

    /**
     * Takes the backup {@code request} asks for, as part of the run {@code context}.
     *
     * @throws io.arca.core.error.ArcaException whatever stopped the backup (nothing is committed then)
     */
    public BackupResult run(BackupRequest request, RunContext context, Progress progress) {
        request.sources().forEach(s -> s.source().checkBackup(s.options()));
        Labels.checkUserLabels(request.labels());
        // the server connections open (on threads of their own) while the repositories do
        PhysicalBackup.Connections connections = request.isPhysical()
                ? PhysicalBackup.Connections.open(request.database(), request.physical().dataDirectory() != null)
                : null;
        try {
            List<OpenRepository> opened = new ArrayList<>();
            for (StorageUrl url : request.repositories()) {
                OpenRepository open = OpenRepository.open(url, LeaseMode.SHARED, "backup");
                context.closeAtEnd(open);
                context.recordIn(open.repository());
                opened.add(open);
                open.repository().requireEncryption(request.keys());
            }
            Repository repo = opened.get(0).repository().withKeys(request.keys(), null);
            BackupManifest m = take(request, repo, connections, progress);
            StorageUrl primary = opened.get(0).storage().url();
            for (ArtifactRecord a : m.artifacts()) {
                context.emit(new JobEvent.ArtifactStored(context.runId(), a.name(), a.size(), a.storedSize(), null));
            }
            context.emit(new JobEvent.Committed(context.runId(), m.backupId(), primary.toString(), m.size(),
                    m.storedSize(), m.duration()));
            List<StorageUrl> holding = new ArrayList<>(List.of(primary));
            List<BackupResult.FailedCopy> failed = new ArrayList<>();
            for (OpenRepository target : opened.subList(1, opened.size())) {
                Instant start = clock.instant();
                try {
                    BackupCopy.copy(opened.get(0).repository(), target.repository(), m, progress);
                    holding.add(target.storage().url());
                    context.emit(new JobEvent.Committed(context.runId(), m.backupId(), target.storage().url().toString(),
                            m.size(), m.storedSize(), Duration.between(start, clock.instant())));
                } catch (RuntimeException e) {
                    failed.add(BackupResult.FailedCopy.of(target.storage().url(), e));
                }
            }
            return new BackupResult(subjectName(request), m, holding, failed);
        } finally {
            if (connections != null) {
                connections.close();
            }
        }
    }

    private static BackupManifest take(BackupRequest request, Repository repo, PhysicalBackup.Connections connections,
            Progress progress) {
        Hooks hooks = Hooks.of(request.hooks(), List.of());
        CodecSpec codec = request.compression() != null ? request.compression()
                : request.isPhysical() ? repo.defaultCodec().forServerData() : repo.defaultCodec();
        if (request.isPhysical()) {
            BackupRequest.Physical p = request.physical();
            PhysicalBackupOptions options = new PhysicalBackupOptions(
                    codec.withWorkers(Math.max(codec.workers(), Runtime.getRuntime().availableProcessors())),
                    p.fastCheckpoint(), p.walMode(), p.manifestChecksums(), request.labels(), p.spoolDirectory(),
                    p.archiveTimeout(), p.dataDirectory());
            return hooks.run(() -> new PhysicalBackup(repo, progress).run(connections, options), progress);
        }
        List<CompositeBackup.PartWriter> parts = new ArrayList<>();
        if (request.database() != null) {
            BackupRequest.Logical l = request.logical();
            LogicalBackupOptions options = new LogicalBackupOptions(l.format(), l.jobs(), l.globals(), l.tables(),
                    l.excludeTables(), l.schemas(), l.countRows(), codec, request.labels(), l.stagingDirectory(),
                    l.lockWaitTimeout());
            LogicalBackup logical = new LogicalBackup(repo, PgBinaries.discover(l.pgBin()), progress);
            parts.add(pending -> List.of(logical.part(pending, request.database(), options)));
        }
        for (BackupRequest.Source s : request.sources()) {
            parts.add(CompositeBackup.of(s.source(), s.options(), repo, codec, progress));
        }
        return hooks.run(() -> CompositeBackup.run(repo, parts, request.labels()), progress);
    }
}

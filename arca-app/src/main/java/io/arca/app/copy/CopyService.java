package io.arca.app.copy;

import io.arca.app.backup.BackupSubjects;
import io.arca.app.event.JobEvent;
import io.arca.app.job.RunContext;
import io.arca.app.repo.OpenRepository;
import io.arca.core.Progress;
import io.arca.core.error.UsageException;
import io.arca.core.repo.BackupCopy;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.postgres.manifest.BackupKind;
import io.arca.postgres.manifest.PostgresSection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Copies backups into another repository as stored (see {@link BackupCopy}): both repositories
 * leased (shared) and named for the run's record. Physical backups are left out (their WAL would
 * have to go with them): one named alone is refused, {@code all} skips them. Damaged backups are not
 * copied; the result is then partial. Each copy is a {@link JobEvent.Committed} in the destination.
 */
public final class CopyService {
    private final Clock clock;

    public CopyService(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Copies what {@code request} names, telling {@code each} about every backup as it is done.
     *
     * @throws io.arca.core.error.ArcaException when a repository cannot be opened, the backup is not
     *     found, or a copy fails (the backups copied before it stay)
     */
    public CopyResult run(CopyRequest request, RunContext context, Progress progress,
            Consumer<CopyResult.Copied> each) {
        OpenRepository src = OpenRepository.open(request.from(), LeaseMode.SHARED, "copy");
        context.closeAtEnd(src);
        context.recordIn(src.repository());
        OpenRepository dst = OpenRepository.open(request.to(), LeaseMode.SHARED, "copy");
        context.closeAtEnd(dst);
        context.recordIn(dst.repository());
        Repository from = src.repository();
        List<Repository.Damaged> damaged = new ArrayList<>();
        List<BackupManifest> backups = new ArrayList<>();
        if (request.all()) {
            Repository.Catalog catalog = from.catalog();
            damaged.addAll(catalog.damaged());
            catalog.backups().stream().filter(m -> request.subject() == null
                    || BackupSubjects.matches(m, request.subject())).forEach(backups::add);
        } else {
            String ref = request.backup() == null ? "latest" : request.backup();
            backups.add(request.subject() == null ? from.resolve(ref)
                    : from.resolve(ref, m -> BackupSubjects.matches(m, request.subject()),
                            "backup of subject '" + request.subject() + "'", null));
        }
        Collections.reverse(backups); // oldest first, like the original order of taking them
        List<CopyResult.Copied> done = new ArrayList<>();
        for (BackupManifest m : backups) {
            CopyResult.Copied c;
            if (PostgresSection.kind(m) == BackupKind.PHYSICAL) {
                // its files alone cannot become consistent: the WAL archive would have to be copied too
                if (!request.all()) {
                    throw new UsageException("backup " + m.backupId() + " is physical: copying physical"
                            + " backups and the WAL they need is not supported yet");
                }
                c = new CopyResult.Copied(m.backupId(), CopyResult.Outcome.SKIPPED_PHYSICAL, m.storedSize());
            } else {
                Instant start = clock.instant();
                BackupCopy.Outcome outcome = BackupCopy.copy(from, dst.repository(), m, progress);
                if (outcome == BackupCopy.Outcome.COPIED) {
                    context.emit(new JobEvent.Committed(context.runId(), m.backupId(), request.to().toString(),
                            m.size(), m.storedSize(), Duration.between(start, clock.instant())));
                }
                c = new CopyResult.Copied(m.backupId(), outcome == BackupCopy.Outcome.COPIED
                        ? CopyResult.Outcome.COPIED : CopyResult.Outcome.ALREADY_PRESENT, m.storedSize());
            }
            done.add(c);
            each.accept(c);
        }
        return new CopyResult(request.from(), request.to(), done, damaged);
    }
}

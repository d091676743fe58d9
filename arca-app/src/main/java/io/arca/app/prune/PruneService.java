package io.arca.app.prune;

import io.arca.app.backup.BackupSubjects;
import io.arca.app.job.RunContext;
import io.arca.app.repo.OpenRepository;
import io.arca.core.TempFiles;
import io.arca.core.error.UsageException;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.lease.Lease;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.core.repo.retention.Retention;
import io.arca.core.repo.retention.RetentionPlan;
import io.arca.core.repo.retention.RetentionPolicy;
import io.arca.core.repo.retention.RetentionSettings;
import io.arca.core.storage.Storage;
import io.arca.core.storage.Storages;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalRetention;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Applies retention to a repository: removes the backups no rule keeps (see {@link Retention}),
 * incomplete backups older than the grace period, the archived WAL that no kept physical backup
 * needs (see {@link WalRetention}), and run records older than {@link PruneRequest#keepRuns()}.
 *
 * <p>A prune takes the repository's exclusive lease and checks it is still held before each
 * deletion; a dry run takes none, changes nothing and names no repository for the run's record.
 * With a subject, only that subject's backups are judged, and WAL is expired against every backup
 * that stays, the other subjects' included.
 */
public final class PruneService {
    /** How long run records are kept unless told otherwise. */
    public static final Duration DEFAULT_KEEP_RUNS = Duration.ofDays(90);

    private final Clock clock;

    public PruneService(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Prunes as {@code request} says.
     *
     * @throws io.arca.core.error.UsageException when there is no retention rule (neither given nor
     *     saved) or the saved one cannot be used
     * @throws io.arca.core.error.ArcaException when the repository cannot be opened or leased
     */
    public PruneResult run(PruneRequest request, RunContext context) {
        if (request.dryRun()) {
            Storage storage = Storages.open(request.repository());
            context.closeAtEnd(storage);
            Repository repo = Repository.open(storage, clock);
            return prune(request, repo, policy(repo, request.retention()), null, null);
        }
        OpenRepository open = OpenRepository.open(request.repository(), LeaseMode.EXCLUSIVE, "prune");
        context.closeAtEnd(open);
        context.recordIn(open.repository());
        // what killed runs left on this host: unencrypted dump staging (the repository's own
        // uncommitted writes went with the lease's first write, see LocalFileStorage)
        TempFiles.removeStaleDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        Repository repo = open.repository();
        RetentionPolicy policy = policy(repo, request.retention());
        Map<String, String> saved = null;
        if (request.savePolicy()) {
            RepositoryConfig.Defaults defaults = repo.config().defaults() == null
                    ? new RepositoryConfig.Defaults(null) : repo.config().defaults();
            repo = repo.withDefaults(defaults.withRetention(request.retention()));
            saved = request.retention();
        }
        return prune(request, repo, policy, open.lease(), saved);
    }

    private static RetentionPolicy policy(Repository repo, Map<String, String> given) {
        if (given.isEmpty() && repo.config().defaults() != null && repo.config().defaults().retention() != null) {
            try {
                return requireRule(RetentionSettings.toPolicy(repo.config().defaults().retention()));
            } catch (IllegalArgumentException e) {
                // arca.json edited by hand, or saved by an Arca that accepted more
                throw new UsageException("the retention policy saved in the repository cannot be used: "
                        + e.getMessage(), "save a valid one with 'arca prune --save-policy --keep-...', or give the"
                        + " rules as flags", e);
            }
        }
        return requireRule(RetentionSettings.toPolicy(given));
    }

    private static RetentionPolicy requireRule(RetentionPolicy policy) {
        if (policy.isEmpty()) {
            throw new UsageException("no retention rule: pass --keep-last, --keep-within, --keep-daily,"
                    + " --keep-weekly, --keep-monthly or --keep-yearly, or save a policy with --save-policy");
        }
        return policy;
    }

    private PruneResult prune(PruneRequest request, Repository repo, RetentionPolicy policy, Lease lease,
            Map<String, String> saved) {
        boolean dryRun = lease == null;
        Instant now = clock.instant();
        Repository.Catalog catalog = repo.catalog();
        List<BackupManifest> judged = catalog.backups().stream()
                .filter(m -> request.subject() == null || BackupSubjects.matches(m, request.subject())).toList();
        RetentionPlan plan = Retention.plan(judged, catalog.incomplete(), policy, now);
        String removed = dryRun ? "remove" : "removed";
        List<PruneResult.Decision> decisions = new ArrayList<>();
        for (RetentionPlan.Decision d : plan.decisions()) {
            BackupManifest m = d.backup();
            if (!d.keep() && !dryRun) {
                lease.ensureHeld();
                repo.remove(m.id());
            }
            decisions.add(new PruneResult.Decision(d.keep() ? PruneResult.KEEP : removed, m.backupId(),
                    PruneResult.Kind.BACKUP, m, d.reasons()));
        }
        for (RetentionPlan.IncompleteDecision d : plan.incomplete()) {
            if (!d.keep() && !dryRun) {
                lease.ensureHeld();
                repo.removeFolder(d.folder());
            }
            decisions.add(new PruneResult.Decision(d.keep() ? PruneResult.KEEP : removed, lastSegment(d.folder()),
                    PruneResult.Kind.INCOMPLETE, null, List.of(d.reason())));
        }
        for (String folder : catalog.unreadable()) {
            decisions.add(new PruneResult.Decision(PruneResult.KEEP, lastSegment(folder), PruneResult.Kind.UNREADABLE,
                    null, List.of("manifest unreadable")));
        }
        // the WAL archive: what no backup that stays needs any more, whoever's subject it is
        Set<String> gone = new HashSet<>();
        plan.toRemove().forEach(m -> gone.add(m.backupId()));
        List<BackupManifest> staying = catalog.backups().stream().filter(m -> !gone.contains(m.backupId())).toList();
        WalArchive archive = new WalArchive(repo, repo.defaultCodec());
        // an unreadable manifest may be a physical backup whose WAL is not known: then no WAL is removed
        List<WalRetention.Expiry> expiries = catalog.unreadable().isEmpty() ? WalRetention.plan(archive, staying)
                : List.of();
        List<PruneResult.WalExpiry> wal = new ArrayList<>();
        for (WalRetention.Expiry e : expiries) {
            if (!dryRun) {
                for (WalArchive.Archived f : e.files()) {
                    lease.ensureHeld();
                    archive.delete(f);
                }
            }
            wal.add(new PruneResult.WalExpiry(Long.toUnsignedString(e.systemId()), e.keepFrom().name(),
                    e.files().size()));
        }
        Instant runsBefore = now.minus(request.keepRuns());
        int runs = 0;
        if (!dryRun) {
            lease.ensureHeld();
            runs = repo.runs().prune(runsBefore);
        }
        return new PruneResult(repo.storage().url(), request.subject(), dryRun, saved, decisions, wal, runs,
                runsBefore);
    }

    private static String lastSegment(String folder) {
        return folder.substring(folder.lastIndexOf('/') + 1);
    }
}

package io.arca.app.status;

import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.BackupPart;
import io.arca.core.storage.Storage;
import io.arca.postgres.manifest.BackupKind;
import io.arca.postgres.manifest.PostgresSection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Setup for status tests: backups, drill records and run records written through the repository
 * API at chosen times before {@link #now}.
 */
final class StatusFixture {
    final Storage storage;
    final Instant now;
    /** Seeds each run id's random part: ids stay distinct and repeatable. */
    private long runs;

    StatusFixture(Storage storage, Instant now) {
        this.storage = storage;
        this.now = now;
        Repository.init(storage, new RepositoryConfig.Defaults(null), Clock.fixed(now, ZoneOffset.UTC));
    }

    /** The repository, its clock at {@link #now}. */
    Repository repo() {
        return Repository.open(storage, Clock.fixed(now, ZoneOffset.UTC));
    }

    /** A complete logical backup of {@code database} that started {@code ago} before now, of 1000 plain bytes. */
    BackupManifest backup(String database, Duration ago, Map<String, String> labels) {
        Instant start = now.minus(ago);
        Repository r = Repository.open(storage, Clock.fixed(start, ZoneOffset.UTC));
        Repository.PendingBackup pending = r.begin();
        var info = new PostgresSection.DatabaseInfo(database, "db:5432", "15.8", "7300000000000000001", "UTF8", null,
                null, null, false, List.of(), null, null);
        ArtifactRecord dump = new ArtifactRecord(database + ".dump", "postgresql.logical", "custom",
                database + ".dump.zst", 1000, "00".repeat(32), 300, "11".repeat(32), List.of("zstd"), List.of(), null);
        return pending.commit(BackupManifest.builder().labels(labels).tool("arca", "test")
                .part(new BackupPart(PostgresSection.section(BackupKind.LOGICAL, info, null, List.of(dump)),
                        List.of(dump), null, null)));
    }

    /** A drill of {@code backup} that started {@code ago} before now: passed in {@code rto}, or failed. */
    DrillRecord drill(BackupManifest backup, Duration ago, Duration rto, String failure) {
        Instant start = now.minus(ago);
        Repository r = Repository.open(storage, Clock.fixed(start, ZoneOffset.UTC));
        BackupId id = r.newDrillId();
        DrillRecord d = new DrillRecord(RepositoryConfig.FORMAT_VERSION, id.value(), r.config().repositoryId(),
                backup.backupId(), PostgresSection.database(backup).name(), start,
                start.plus(rto == null ? Duration.ofMinutes(1) : rto), backup.startedAt(), 3600,
                new DrillRecord.Scratch("ephemeral-cluster", "15.8", null, "arca_drill"), Map.of("arca", "test"),
                Map.of(), rto == null ? null : rto.toMillis(), null, List.of(), null, List.of(),
                failure == null ? DrillRecord.PASS : DrillRecord.FAIL, failure);
        r.writeDrill(d);
        return d;
    }

    /** A run record of {@code job} for {@code subject} that ended {@code ago} before now. */
    RunRecord run(String job, String subject, Duration ago, String outcome, String message, Map<String, String> details) {
        Instant end = now.minus(ago);
        Instant start = end.minusSeconds(30);
        String id = BackupId.generate(start, new java.util.Random(++runs)).value();
        boolean ok = RunRecord.SUCCEEDED.equals(outcome);
        RunRecord record = new RunRecord(RunRecord.FORMAT_VERSION, id, job, subject, "schedule", "test-host", start, end,
                outcome, ok ? null : "ARCA-1500", ok ? 0 : 14, message, null, null, null, details);
        repo().runs().write(record);
        return record;
    }
}

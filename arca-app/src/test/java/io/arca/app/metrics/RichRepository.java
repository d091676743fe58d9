package io.arca.app.metrics;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A repository with something behind every metric, as of {@link #now}: subject {@code app}
 * (logical backups, a failed last backup run, a passed then a failed drill), {@code shop}
 * (named by the subject label of a backup of database {@code shopdb}), {@code pg-main} (physical
 * backups of cluster {@link #SYSTEM} with a WAL archive missing one segment), an interrupted backup
 * folder, and saved objectives ({@code *}: RPO 24h, RTO 4h; {@code shop}: no drill-within check).
 */
final class RichRepository {
    static final String SYSTEM = "7300000000000000042";

    final TestRepository repo;
    final Instant now;
    final BackupManifest appNewest;
    final BackupManifest appOld;
    final BackupManifest physical;
    final RunRecord failedBackup;
    final RunRecord goodBackup;

    RichRepository(TestRepository repo, Instant now) {
        this.repo = repo;
        this.now = now;
        appOld = repo.logical("app", ago(30, 0), Duration.ofMinutes(3), 1000, Map.of());
        appNewest = repo.logical("app", ago(2, 0), Duration.ofMinutes(5), 2000, Map.of());
        repo.logical("app", ago(1, 0), Duration.ofMinutes(1), 500, Map.of("purpose", "safety"));
        repo.logical("shopdb", ago(3, 0), Duration.ofMinutes(2), 700, Map.of("subject", "shop"));
        physical = repo.physical(SYSTEM, 1, 2, 3, ago(1, 0), Duration.ofMinutes(5), Map.of("subject", "pg-main"));
        repo.wal(SYSTEM, 1, 2, false, ago(0, 58));
        repo.wal(SYSTEM, 1, 3, false, ago(0, 50));
        repo.wal(SYSTEM, 1, 5, false, ago(0, 10));
        repo.drill("app", appOld.backupId(), now.minus(Duration.ofDays(3)), Duration.ofMinutes(70), null);
        repo.drill("app", appNewest.backupId(), now.minus(Duration.ofDays(1)), null,
                "table public.orders: expected 1200 rows, found 0");
        goodBackup = repo.run("backup", "app", ago(2, 0), Duration.ofMinutes(5), RunRecord.SUCCEEDED);
        failedBackup = repo.run("backup", "app", ago(0, 30), Duration.ofSeconds(10), RunRecord.FAILED);
        repo.run("verify", "app", ago(1, 30), Duration.ofSeconds(40), RunRecord.SUCCEEDED);
        repo.run("prune", RunRecord.ALL_SUBJECTS, ago(1, 20), Duration.ofSeconds(3), RunRecord.SUCCEEDED);
        repo.interruptedBackup(ago(0, 5));
        repo.saveObjectives(Map.of("*", new RepositoryConfig.Objectives("24h", "4h", null),
                "shop", new RepositoryConfig.Objectives(null, null, "none")));
    }

    Instant ago(int hours, int minutes) {
        return now.minus(Duration.ofHours(hours).plusMinutes(minutes));
    }

    static double seconds(Instant t) {
        return t.toEpochMilli() / 1000.0;
    }
}

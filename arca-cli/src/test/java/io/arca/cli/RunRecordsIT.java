package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.BackupId;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run of backup, prune, copy and wal-receive from the command line leaves its record in the
 * repositories it opened: successful, partial and failed, with the subject it was given or the one
 * it derives, and the command's own output and exit code unchanged.
 */
class RunRecordsIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    Path dir;

    private Path init(String name) {
        Path repo = dir.resolve(name);
        ArcaRun r = ArcaRun.of("init", "--repo", repo.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return repo;
    }

    private static List<RunRecord> records(Path repo) {
        return Repository.open(new LocalFileStorage(repo), Clock.systemUTC()).runs().list(Instant.EPOCH);
    }

    private static List<RunRecord> records(Path repo, String job) {
        return records(repo).stream().filter(r -> r.job().equals(job)).toList();
    }

    @Test
    void backupsSucceededOrFailedAreRecordedUnderTheirSubject() throws Exception {
        String db = PG.createDatabase("records");
        PG.cluster().execute(db, "create table t as select g from generate_series(1, 100) g");
        Path repo = init("repo");

        ArcaRun plain = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), db), "-o",
                "json");
        assertThat(plain.exit()).as(plain.toString()).isZero();
        String plainId = LogicalRoundTripIT.json(plain.out()).get("id").asText();
        ArcaRun named = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), db),
                "--subject", "shop");
        assertThat(named.exit()).as(named.toString()).isZero();
        assertThat(named.out()).startsWith("backup ").contains(" complete: ");

        List<RunRecord> backups = records(repo, "backup");
        assertThat(backups).hasSize(2);
        RunRecord first = backups.get(1);
        assertThat(first.subject()).as("the database's name without --subject").isEqualTo(db);
        assertThat(first.outcome()).isEqualTo(RunRecord.SUCCEEDED);
        assertThat(first.trigger()).isEqualTo("cli");
        assertThat(first.backupId()).isEqualTo(plainId);
        assertThat(first.bytes()).isPositive();
        assertThat(first.storedBytes()).isPositive();
        RunRecord second = backups.get(0);
        assertThat(second.subject()).isEqualTo("shop");
        ArcaRun show = ArcaRun.of("show", second.backupId(), "--repo", repo.toString(), "-o", "json");
        assertThat(LogicalRoundTripIT.json(show.out()).get("labels").get("subject").asText()).isEqualTo("shop");

        // the database stops: the command fails as it always did, and the failure is in the repository
        String stopped;
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults()
                .withMajor(PostgresExtension.DEFAULT_MAJOR).withFastAndUnsafe(true))) {
            stopped = ArcaRun.url(cluster, "postgres");
        }
        ArcaRun failed = ArcaRun.of("backup", "--repo", repo.toString(), "--db", stopped, "--subject", "shop");
        assertThat(failed.exit()).as(failed.toString()).isEqualTo(14);
        assertThat(failed.err()).startsWith("error: ").contains("code: ARCA-1500").doesNotContain("note:");
        RunRecord failure = records(repo, "backup").get(0);
        assertThat(failure.subject()).isEqualTo("shop");
        assertThat(failure.outcome()).isEqualTo(RunRecord.FAILED);
        assertThat(failure.errorCode()).isEqualTo("ARCA-1500");
        assertThat(failure.exitCode()).isEqualTo(14);
        assertThat(failed.err()).contains(failure.message());
        assertThat(failure.backupId()).isNull();
    }

    @Test
    void aPartialBackupCopiesAndPrunesAreRecorded() throws Exception {
        String db = PG.createDatabase("partial");
        PG.cluster().execute(db, "create table t as select g from generate_series(1, 100) g");
        Path a = init("a");
        Path b = init("b");
        Path broken = init("broken");
        Files.writeString(broken.resolve("backups"), "not a folder");

        ArcaRun partial = ArcaRun.of("backup", "--repo", a.toString(), "--repo", broken.toString(), "--db",
                ArcaRun.url(PG.cluster(), db));
        assertThat(partial.exit()).as(partial.toString()).isEqualTo(3);
        for (Path repo : List.of(a, broken)) {
            assertThat(records(repo, "backup")).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(RunRecord.PARTIAL);
                assertThat(r.errorCode()).isEqualTo("ARCA-1003");
                assertThat(r.exitCode()).isEqualTo(3);
            });
        }

        ArcaRun copy = ArcaRun.of("copy", "--from", a.toString(), "--to", b.toString(), "--subject", db);
        assertThat(copy.exit()).as(copy.toString()).isZero();
        assertThat(copy.out()).startsWith("copied ");
        for (Path repo : List.of(a, b)) {
            assertThat(records(repo, "copy")).singleElement().satisfies(r -> {
                assertThat(r.subject()).isEqualTo(db);
                assertThat(r.outcome()).isEqualTo(RunRecord.SUCCEEDED);
                assertThat(r.details()).containsEntry("copied", "1");
            });
        }

        // a record older than --keep-runs goes with the prune, which is recorded itself
        Instant old = Instant.now().minus(Duration.ofDays(45));
        RunRecord ancient = new RunRecord(RunRecord.FORMAT_VERSION, BackupId.generate(old, new SecureRandom()).value(),
                "verify", "*", "cli", "h", old, old.plusSeconds(1), RunRecord.SUCCEEDED, null, 0, null, null, null, null,
                Map.of());
        Repository.open(new LocalFileStorage(a), Clock.systemUTC()).runs().write(ancient);
        ArcaRun prune = ArcaRun.of("prune", "--repo", a.toString(), "--keep-last", "1", "--keep-runs", "30d");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(prune.out()).contains("removed 0 of 1 backups").contains("removed 1 run record of runs started before");
        assertThat(records(a)).extracting(RunRecord::runId).doesNotContain(ancient.runId());
        assertThat(records(a, "prune")).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo("*");
            assertThat(r.details()).containsEntry("runsRemoved", "1");
        });
        ArcaRun dry = ArcaRun.of("prune", "--repo", a.toString(), "--keep-last", "1", "--dry-run", "-o", "json");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(records(a, "prune")).as("a dry run records nothing").hasSize(1);
    }

    @Test
    void walReceiveRecordsHowItEndedWhenStoppedBySigterm() throws Exception {
        Path repo = init("repo");
        Path log = dir.resolve("wal-receive.log");
        Process p = ArcaProcess.start(Map.of("PGPASSWORD", PG.cluster().password()), log, "wal-receive", "--db",
                PG.url("postgres"), "--repo", repo.toString(), "--no-slot", "--subject", "cluster");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!read(log).contains("receiving WAL of system")) {
            assertThat(p.isAlive()).as(read(log)).isTrue();
            assertThat(System.nanoTime()).as("started within 90 s: " + read(log)).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(100);
        }
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(read(log)).isTrue();
        assertThat(p.exitValue()).as(read(log)).isZero();
        assertThat(read(log)).contains("stopped: WAL up to");

        assertThat(records(repo)).singleElement().satisfies(r -> {
            assertThat(r.job()).isEqualTo("wal-receive");
            assertThat(r.subject()).isEqualTo("cluster");
            assertThat(r.outcome()).isEqualTo(RunRecord.SUCCEEDED);
            assertThat(r.details()).containsEntry("ended", "SIGTERM").containsKey("reached");
        });
    }

    private static String read(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }
}

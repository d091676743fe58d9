package io.arca.app.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.app.RunHarness;
import io.arca.app.event.JobEvent;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup service against a real PostgreSQL and local repositories: fan-out to several
 * repositories, a failing copy (partial), a repository that cannot be opened and a stopped
 * database (failed), each with the run records and events they leave.
 */
class BackupServiceIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String database;

    @TempDir
    Path dir;

    private final RunHarness runs = new RunHarness();
    private final BackupService service = new BackupService(Clock.systemUTC());

    @BeforeAll
    static void load() throws Exception {
        database = PG.createDatabase("app");
        try (Connection c = PG.connect(database)) {
            SampleDataset.load(c);
        }
    }

    private static BackupRequest request(ConnectionSettings db, String subject, Path... repos) {
        List<StorageUrl> urls = java.util.Arrays.stream(repos).map(p -> StorageUrl.parse(p.toString())).toList();
        return new BackupRequest(urls, subject, db, null, null, List.of(), Map.of("team", "payments"), null, null,
                null);
    }

    private BackupResult backup(BackupRequest request) {
        return runs.run(BackupService.job(request), BackupService.subjectName(request),
                ctx -> service.run(request, ctx, Progress.NONE));
    }

    @Test
    void aBackupGoesToEveryRepositoryAndIsRecordedInEach() {
        Path main = RunHarness.init(dir.resolve("main"));
        Path offsite = RunHarness.init(dir.resolve("offsite"));

        BackupResult result = backup(request(PG.settings(database), "app", main, offsite));

        BackupManifest m = result.manifest();
        assertThat(m.labels()).containsEntry("subject", "app").containsEntry("team", "payments");
        assertThat(result.partialFailure()).isNull();
        assertThat(result.repositories()).extracting(StorageUrl::toString)
                .containsExactly("file:" + main, "file:" + offsite);
        assertThat(RunHarness.open(main).list()).extracting(BackupManifest::backupId).containsExactly(m.backupId());
        assertThat(RunHarness.open(offsite).list()).extracting(BackupManifest::backupId).containsExactly(m.backupId());
        for (Path repo : List.of(main, offsite)) {
            assertThat(RunHarness.records(repo)).singleElement().satisfies(r -> {
                assertThat(r.job()).isEqualTo("backup");
                assertThat(r.subject()).isEqualTo("app");
                assertThat(r.trigger()).isEqualTo("cli");
                assertThat(r.host()).isEqualTo(RunHarness.HOST);
                assertThat(r.outcome()).isEqualTo(RunRecord.SUCCEEDED);
                assertThat(r.errorCode()).isNull();
                assertThat(r.backupId()).isEqualTo(m.backupId());
                assertThat(r.bytes()).isEqualTo(m.size()).isPositive();
                assertThat(r.storedBytes()).isEqualTo(m.storedSize()).isPositive();
            });
            assertThat(RunHarness.leaseFree(repo)).as("the shared lease is released").isTrue();
        }
        assertThat(runs.events(JobEvent.ArtifactStored.class)).extracting(JobEvent.ArtifactStored::artifact)
                .containsExactlyElementsOf(m.artifacts().stream().map(a -> a.name()).toList());
        assertThat(runs.events(JobEvent.Committed.class)).extracting(JobEvent.Committed::repository)
                .containsExactly("file:" + main, "file:" + offsite);
        assertThat(runs.events(JobEvent.Committed.class)).allSatisfy(c -> {
            assertThat(c.backupId()).isEqualTo(m.backupId());
            assertThat(c.storedBytes()).isEqualTo(m.storedSize());
        });
        assertThat(runs.events(JobEvent.Failed.class)).isEmpty();
        assertThat(runs.events().get(0)).isInstanceOf(JobEvent.Started.class);
        assertThat(runs.events().get(runs.events().size() - 1)).isInstanceOf(JobEvent.Finished.class);
    }

    @Test
    void aFailingCopyMakesAPartialRunRecordedInBothRepositories() throws Exception {
        Path main = RunHarness.init(dir.resolve("main"));
        Path offsite = RunHarness.init(dir.resolve("offsite"));
        // a file where the off-site repository's backups go: the copy fails, its run records do not
        Files.writeString(offsite.resolve("backups"), "not a folder");

        BackupResult result = backup(request(PG.settings(database), null, main, offsite));

        String id = result.manifest().backupId();
        assertThat(result.subject()).as("the database's name without a subject").isEqualTo(database);
        assertThat(result.manifest().labels()).doesNotContainKey("subject");
        assertThat(result.repositories()).extracting(StorageUrl::toString).containsExactly("file:" + main);
        assertThat(result.failedCopies()).singleElement()
                .satisfies(f -> assertThat(f.repository().toString()).isEqualTo("file:" + offsite));
        ArcaException partial = result.partialFailure();
        assertThat(partial.code()).isEqualTo(ErrorCode.PARTIAL);
        assertThat(partial.getMessage()).isEqualTo("backup " + id + " is complete in 'file:" + main
                + "' but not in 'file:" + offsite + "'");
        for (Path repo : List.of(main, offsite)) {
            assertThat(RunHarness.records(repo)).singleElement().satisfies(r -> {
                assertThat(r.subject()).isEqualTo(database);
                assertThat(r.outcome()).isEqualTo(RunRecord.PARTIAL);
                assertThat(r.errorCode()).isEqualTo("ARCA-" + ErrorCode.PARTIAL.number());
                assertThat(r.exitCode()).isEqualTo(3);
                assertThat(r.message()).isEqualTo(partial.getMessage());
                assertThat(r.backupId()).isEqualTo(id);
                assertThat(r.details()).containsEntry("failedCopies", "file:" + offsite);
            });
        }
        assertThat(runs.events(JobEvent.Committed.class)).extracting(JobEvent.Committed::repository)
                .containsExactly("file:" + main);
        assertThat(runs.events(JobEvent.Failed.class)).singleElement()
                .satisfies(f -> assertThat(f.exitCode()).isEqualTo(3));
    }

    @Test
    void aRepositoryThatCannotBeOpenedFailsTheBackupBeforeTheDumpAndTheOthersRecordIt() {
        Path main = RunHarness.init(dir.resolve("main"));
        Path missing = dir.resolve("never-initialised");

        assertThatThrownBy(() -> backup(request(PG.settings(database), "app", main, missing)))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.REPOSITORY_NOT_FOUND));

        assertThat(RunHarness.open(main).catalog().backups()).as("nothing was dumped").isEmpty();
        assertThat(RunHarness.open(main).catalog().incomplete()).isEmpty();
        assertThat(RunHarness.records(main)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(RunRecord.FAILED);
            assertThat(r.errorCode()).isEqualTo("ARCA-" + ErrorCode.REPOSITORY_NOT_FOUND.number());
            assertThat(r.message()).contains(missing.toString());
            assertThat(r.backupId()).isNull();
        });
        assertThat(RunHarness.leaseFree(main)).isTrue();
    }

    @Test
    void aStoppedDatabaseLeavesAFailedRecordWithTheConnectionError() {
        Path main = RunHarness.init(dir.resolve("main"));
        ConnectionSettings stopped;
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withMajor(PostgresExtension.DEFAULT_MAJOR)
                .withFastAndUnsafe(true))) {
            stopped = cluster.connectionSettings("postgres");
        }

        assertThatThrownBy(() -> backup(request(stopped, "app", main)))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.PG_CONNECTION));

        assertThat(RunHarness.records(main)).singleElement().satisfies(r -> {
            assertThat(r.job()).isEqualTo("backup");
            assertThat(r.subject()).isEqualTo("app");
            assertThat(r.outcome()).isEqualTo(RunRecord.FAILED);
            assertThat(r.errorCode()).isEqualTo("ARCA-1500");
            assertThat(r.exitCode()).isEqualTo(14);
            assertThat(r.message()).isNotBlank();
            assertThat(r.bytes()).isNull();
        });
        assertThat(RunHarness.open(main).catalog().backups()).isEmpty();
        assertThat(runs.events(JobEvent.Failed.class)).singleElement()
                .satisfies(f -> assertThat(f.errorCode()).isEqualTo("ARCA-1500"));
        assertThat(RunHarness.open(main).runs().latest().get(new io.arca.core.repo.run.RunLog.Key("backup", "app"))
                .lastFailure()).isNotNull();
    }
}

package io.arca.app.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.app.config.ArcaConfig;
import io.arca.app.job.FailedRun;
import io.arca.app.job.RunRecorder;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJobs;
import io.arca.app.status.StatusQuery;
import io.arca.app.status.StatusService;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.BackupSources;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.logical.LogicalBackup;
import io.arca.postgres.logical.LogicalBackupOptions;
import io.arca.postgres.logical.VerifyReport;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VerifyService} and {@link VerifyJob} on real logical backups of a real PostgreSQL: the
 * subject's newest backup in each repository, a damaged artifact found and named, and the run
 * recorded so that status sees a failed verify.
 */
class VerifyServiceIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String app;
    static String shop;

    @TempDir
    Path dir;
    Path primary;
    Path copy;
    BackupManifest appBackup;
    BackupManifest shopBackup;

    @BeforeAll
    static void load() {
        app = PG.createDatabase("appdb");
        shop = PG.createDatabase("shop");
        PG.cluster().execute(app, "create table a (id int)", "insert into a select generate_series(1, 300)");
        PG.cluster().execute(shop, "create table orders (id int)", "insert into orders values (1), (2)");
    }

    @BeforeEach
    void backUp() throws IOException {
        primary = dir.resolve("primary");
        Repository repo = Repository.init(new LocalFileStorage(primary), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
        appBackup = backup(repo, app, Map.of("subject", "app"));
        // the newer backup is another subject's: 'latest' of app is still appBackup
        shopBackup = backup(repo, shop, Map.of());
        copy = dir.resolve("copy");
        copyTree(primary, copy);
    }

    @Test
    void theSubjectsNewestBackupVerifiesInEveryRepository() {
        List<String> seen = new ArrayList<>();
        VerifyResult result = service().verify(List.of(open(primary), open(copy)), VerifyRequest.latest("app"),
                new VerifyListener() {
                    @Override
                    public void repository(String url) {
                        seen.add(url);
                    }

                    @Override
                    public void report(VerifyReport report) {
                        seen.add(report.backupId());
                    }
                });

        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.failure()).isNull();
        assertThat(result.subject()).isEqualTo("app");
        assertThat(result.backupId()).isEqualTo(appBackup.backupId());
        assertThat(result.repositories()).hasSize(2);
        assertThat(seen).containsExactly(open(primary).storage().url().toString(), appBackup.backupId(),
                open(copy).storage().url().toString(), appBackup.backupId());
        assertThat(result.details()).containsEntry("backups", "1").containsEntry("failed", "0")
                .containsEntry("repositories", "2");
    }

    @Test
    void withoutASubjectTheRunIsRecordedForTheBackupsDatabaseOrEveryBackup() {
        assertThat(VerifyService.subjectOf(open(primary), new VerifyRequest(null, false, null))).isEqualTo(
                PostgresSectionName.of(shopBackup));
        assertThat(VerifyService.subjectOf(open(primary), new VerifyRequest(appBackup.backupId(), false, null)))
                .as("the subject label").isEqualTo("app");
        assertThat(VerifyService.subjectOf(open(primary), new VerifyRequest(null, true, null))).isEqualTo("*");

        VerifyResult all = service().verify(List.of(open(primary)), new VerifyRequest(null, true, null),
                VerifyListener.NONE);
        assertThat(all.reports()).extracting(VerifyReport::backupId)
                .containsExactlyInAnyOrder(appBackup.backupId(), shopBackup.backupId());
        assertThat(all.backupId()).isNull();
    }

    @Test
    void aDamagedCopyFailsTheVerifyNamingTheBackupAndTheArtifact() throws IOException {
        ArtifactRecord dump = appBackup.artifacts().get(0);
        flipAByte(copy.resolve(Repository.key(appBackup.id(), dump.file())));

        VerifyResult result = service().verify(List.of(open(primary), open(copy)), VerifyRequest.latest("app"),
                VerifyListener.NONE);

        assertThat(result.ok()).isFalse();
        assertThat(result.repositories().get(0).reports().get(0).ok()).isTrue();
        ArcaException failure = result.failure();
        assertThat(failure.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
        assertThat(failure.getMessage()).startsWith("backup '" + appBackup.backupId() + "' failed verification:"
                + " artifact '" + dump.file() + "'");
        assertThat(failure.hint()).startsWith("do not rely on this backup");
    }

    @Test
    void theJobRecordsAFailedVerifyThatStatusReportsUntilAVerifyPasses() throws IOException {
        Subject subject = subject();
        RunRecorder recorder = new RunRecorder(Clock.systemUTC(), "test-host", e -> { });

        VerifyResult passed = (VerifyResult) recorder.run(null, RunRecord.Job.VERIFY, "app", RunRecord.Trigger.SCHEDULE,
                List.of(), ctx -> SubjectJobs.of(RunRecord.Job.VERIFY).run(subject, ctx));
        assertThat(passed.ok()).isTrue();

        flipAByte(copy.resolve(Repository.key(appBackup.id(), appBackup.artifacts().get(0).file())));
        assertThatThrownBy(() -> recorder.run(null, RunRecord.Job.VERIFY, "app", RunRecord.Trigger.SCHEDULE,
                List.of(), ctx -> SubjectJobs.of(RunRecord.Job.VERIFY).run(subject, ctx)))
                .isInstanceOf(FailedRun.class).hasMessageContaining("failed verification");

        for (Path repo : List.of(primary, copy)) {
            List<RunRecord> runs = open(repo).runs().list(java.time.Instant.EPOCH);
            assertThat(runs).as("the record is in every repository verified").hasSize(2);
            RunRecord failed = runs.get(0);
            assertThat(failed.outcome()).isEqualTo(RunRecord.FAILED);
            assertThat(failed.errorCode()).isEqualTo("ARCA-1600");
            assertThat(failed.exitCode()).isEqualTo(15);
            assertThat(failed.subject()).isEqualTo("app");
            assertThat(failed.backupId()).isEqualTo(appBackup.backupId());
            assertThat(failed.details()).containsEntry("failed", "1");
        }
        var status = new StatusService(Clock.systemUTC()).status(open(primary), StatusQuery.all()).subject("app");
        assertThat(status.runProblems()).singleElement().asString().startsWith("last verify failed at ")
                .contains("failed verification");
    }

    private Subject subject() {
        ArcaConfig config = new ArcaConfig(Map.of(
                "main", new ArcaConfig.RepositoryEntry(primary.toString(), null, null, null, null, null),
                "offsite", new ArcaConfig.RepositoryEntry(copy.toString(), null, null, null, null, null)),
                Map.of("app", new ArcaConfig.SubjectEntry(List.of("main", "offsite"), PG.url(app), null, null, null,
                        null, null, null, null)), null, null, null);
        return new Subject("app", config.subjects().get("app"), config, Map.of());
    }

    private static VerifyService service() {
        return new VerifyService(BackupSources.load(), PgBinaries.discover(List.of()), Progress.NONE);
    }

    private static Repository open(Path root) {
        return Repository.open(new LocalFileStorage(root), Clock.systemUTC());
    }

    private static BackupManifest backup(Repository repo, String database, Map<String, String> labels) {
        LogicalBackupOptions o = LogicalBackupOptions.defaults(CodecSpec.defaults());
        o = new LogicalBackupOptions(o.format(), 1, false, List.of(), List.of(), List.of(), true, o.codec(), labels,
                o.stagingDirectory());
        return new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE).run(PG.settings(database), o);
    }

    private static void flipAByte(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xff);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** The database name a backup without a subject label is recorded under. */
    private static final class PostgresSectionName {
        static String of(BackupManifest m) {
            return io.arca.postgres.manifest.PostgresSection.database(m).name();
        }
    }
}

package io.arca.server.http;

import io.arca.app.config.ArcaConfig;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.BackupPart;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Two real repositories on disk, written through the real classes ({@link Repository},
 * {@link Repository.PendingBackup}, the run log, the drill log), and the {@code arca.yaml} naming them:
 *
 * <ul>
 *   <li>{@code app} (repository {@code main}; RPO 36h, RTO 1h): backups 50h and 2h ago, a drill of
 *       the older one that passed a day ago measuring 20 minutes, a backup run that succeeded, a
 *       verify run that failed five hours ago and one that succeeded three hours ago: all is well.
 *   <li>{@code shop} ({@code main}; RPO 24h): one backup 40h ago (RPO missed), a backup run that
 *       failed an hour ago (PostgreSQL unreachable), a drill of it that failed 30 hours ago.
 *   <li>{@code reports} (repository {@code archive}, empty; RPO 24h): no backup.
 *   <li>A backup without a subject label, of database {@code legacy} (10h ago): grouped by its
 *       database, a subject arca.yaml does not name.
 * </ul>
 *
 * The API's clock stands at {@link #NOW}.
 */
final class ApiFixture {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final String LOGICAL = "postgresql.logical";

    final TestClock clock = new TestClock(NOW);
    final Path root;
    final ArcaConfig config;
    final Repository main;
    final Repository archive;
    private final Random random = new Random(17);

    String appOld;
    String appNewest;
    String shopBackup;
    String legacyBackup;
    String appBackupRun;
    String appVerifyRun;
    String appVerifyOkRun;
    String shopBackupRun;
    String appDrill;
    String shopDrill;

    private ApiFixture(Path root) {
        this.root = root;
        this.main = init(root.resolve("main"));
        this.archive = init(root.resolve("archive"));
        this.config = config(root, null);
    }

    /** The repositories with the evidence above. */
    static ApiFixture create(Path root) throws IOException {
        ApiFixture f = new ApiFixture(root);
        f.populate();
        return f;
    }

    /** Only the repositories (empty) and the configuration, for tests that add their own backups. */
    static ApiFixture empty(Path root) {
        return new ApiFixture(root);
    }

    private void populate() throws IOException {
        appOld = backup(main, "app", "app", NOW.minus(Duration.ofHours(50)), 4_000).backupId();
        BackupManifest newest = backup(main, "app", "app", NOW.minus(Duration.ofHours(2)), 12_000);
        appNewest = newest.backupId();
        shopBackup = backup(main, "shop", "shop", NOW.minus(Duration.ofHours(40)), 8_000).backupId();
        legacyBackup = backup(main, null, "legacy", NOW.minus(Duration.ofHours(10)), 1_000).backupId();

        appBackupRun = run(main, "backup", "app", "schedule", NOW.minus(Duration.ofHours(2)), RunRecord.SUCCEEDED,
                null, null, appNewest, newest.size());
        appVerifyRun = run(main, "verify", "app", "schedule", NOW.minus(Duration.ofHours(5)), RunRecord.FAILED,
                "ARCA-1600", "artifact 'db.dump.zst' of backup '" + appOld + "' has the wrong sha-256", appOld, null);
        appVerifyOkRun = run(main, "verify", "app", "cli", NOW.minus(Duration.ofHours(3)), RunRecord.SUCCEEDED,
                null, null, appNewest, null);
        shopBackupRun = run(main, "backup", "shop", "schedule", NOW.minus(Duration.ofHours(1)), RunRecord.FAILED,
                "ARCA-1500", "cannot connect to postgresql://db:5432/shop: connection refused", null, null);

        appDrill = drill(main, appOld, "app", NOW.minus(Duration.ofDays(1)), Duration.ofMinutes(20), null);
        shopDrill = drill(main, shopBackup, "shop", NOW.minus(Duration.ofHours(30)), null,
                "restore failed: pg_restore exited 1");
        clock.set(NOW);
    }

    private static Repository init(Path dir) {
        Storage storage = Storages.open(StorageUrl.parse(dir.toString()));
        return Repository.init(storage, new RepositoryConfig.Defaults("zstd:3"), java.time.Clock.systemUTC());
    }

    /** The repository as the API's clock sees it: backups and records are stamped with the test's times. */
    Repository at(Repository repo) {
        return Repository.open(repo.storage(), clock);
    }

    /** A logical backup of {@code database}, labelled {@code subject=...} unless null, started at {@code at}. */
    BackupManifest backup(Repository repo, String subject, String database, Instant at, int bytes) throws IOException {
        clock.set(at);
        Repository r = at(repo);
        Repository.PendingBackup p = r.begin();
        byte[] content = new byte[bytes];
        random.nextBytes(content);
        ArtifactDigest digest;
        try (ArtifactOutput out = p.openArtifact(database + ".dump", CodecSpec.parse("zstd"))) {
            out.write(content);
            digest = out.finish();
        }
        List<ArtifactRecord> artifacts = List.of(ArtifactRecord.of(database + ".dump", LOGICAL,
                "pg_dump-custom", database + ".dump.zst", "zstd:3", digest, List.of()));
        clock.set(at.plusSeconds(90));
        Map<String, String> labels = subject == null ? Map.of() : Map.of("subject", subject);
        return p.commit(BackupManifest.builder().labels(labels).tool("arca", "test")
                .part(new BackupPart(section(database, artifacts), artifacts, null, null)));
    }

    /** A PostgreSQL logical section as arca-postgres writes it: subject and {@code {database: {name, host}}}. */
    static Section section(String database, List<ArtifactRecord> artifacts) {
        var details = RepositoryJson.mapper().createObjectNode();
        details.putObject("database").put("name", database).put("host", "db:5432");
        return new Section(LOGICAL, Subject.of("postgresql", "db:5432", database),
                artifacts.stream().map(ArtifactRecord::name).toList(), false, details);
    }

    /** A run record, as the run recorder writes it. */
    String run(Repository repo, String job, String subject, String trigger, Instant start, String outcome,
            String errorCode, String message, String backupId, Long bytes) {
        String id = BackupId.generate(start, random).value();
        repo.runs().write(new RunRecord(RunRecord.FORMAT_VERSION, id, job, subject, trigger, "test-host", start,
                start.plusSeconds(95), outcome, errorCode, RunRecord.SUCCEEDED.equals(outcome) ? 0 : 1, message, bytes,
                bytes == null ? null : bytes / 2, backupId, Map.of()));
        return id;
    }

    /** A drill's evidence: passed with {@code rto} measured, or failed with {@code failure}. */
    String drill(Repository repo, String backupId, String database, Instant start, Duration rto, String failure) {
        String id = BackupId.generate(start, random).value();
        Instant backupStart = new BackupId(backupId).startTime();
        repo.writeDrill(new DrillRecord(1, id, repo.config().repositoryId(), backupId, database, start,
                start.plus(rto == null ? Duration.ofMinutes(2) : rto.plusMinutes(1)), backupStart,
                Duration.between(backupStart, start).getSeconds(),
                new DrillRecord.Scratch("ephemeral-cluster", "15.8", null, "arca_drill"), Map.of("arca", "test"),
                Map.of("restoreMillis", rto == null ? 1_000L : rto.toMillis()), rto == null ? null : rto.toMillis(),
                rto == null ? null : "1h", List.of(), null, List.of(), rto == null ? DrillRecord.FAIL : DrillRecord.PASS,
                failure));
        return id;
    }

    /** The arca.yaml of the fixture, with {@code server} as given. */
    static ArcaConfig config(Path root, ArcaConfig.Server server) {
        Map<String, ArcaConfig.RepositoryEntry> repositories = new LinkedHashMap<>();
        repositories.put("main", new ArcaConfig.RepositoryEntry(root.resolve("main").toString(), null, null, null,
                null, null));
        repositories.put("archive", new ArcaConfig.RepositoryEntry(root.resolve("archive").toString(), null, null,
                null, null, null));
        Map<String, ArcaConfig.SubjectEntry> subjects = new LinkedHashMap<>();
        subjects.put("app", subject(List.of("main"), new ArcaConfig.Objectives("36h", "1h", "7d")));
        subjects.put("shop", subject(List.of("main"), new ArcaConfig.Objectives("24h", null, "7d")));
        subjects.put("reports", subject(List.of("archive"), new ArcaConfig.Objectives("24h", null, "none")));
        return new ArcaConfig(repositories, subjects, List.of(), server, null);
    }

    private static ArcaConfig.SubjectEntry subject(List<String> repositories, ArcaConfig.Objectives objectives) {
        return new ArcaConfig.SubjectEntry(repositories, "postgresql://db:5432/app", null, null, null,
                new ArcaConfig.Schedules("UTC", "0 2 * * *", null, null, null, null, null), objectives, null, null);
    }

    /** Plain bytes of {@code text}, for bodies. */
    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

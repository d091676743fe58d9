package io.arca.app.metrics;

import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.BackupPart;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.Storages;
import io.arca.core.storage.WriteOptions;
import io.arca.postgres.manifest.BackupKind;
import io.arca.postgres.manifest.PostgresSection;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A repository that tests fill through the repository API at chosen times: backups, drills, run
 * records, WAL segments, saved objectives. Setup only; assertions live in the tests.
 */
final class TestRepository {
    static final long SEGMENT = WalArchive.DEFAULT_SEGMENT_SIZE;

    private final StorageUrl url;
    private final Random random = new Random(17);

    private TestRepository(StorageUrl url) {
        this.url = url;
    }

    /** Creates a repository at {@code url}. */
    static TestRepository init(StorageUrl url, Instant at) {
        try (Storage storage = Storages.open(url)) {
            Repository.init(storage, new RepositoryConfig.Defaults("zstd"), new SettableClock(at));
        }
        return new TestRepository(url);
    }

    StorageUrl url() {
        return url;
    }

    /** A complete logical backup of {@code database} with {@code bytes} random bytes; its manifest. */
    BackupManifest logical(String database, Instant start, Duration took, int bytes, Map<String, String> labels) {
        var info = new PostgresSection.DatabaseInfo(database, "db:5432", "15.8", "7300000000000000001", "UTF8", null,
                null, null, false, List.of(), null);
        return backup(start, took, bytes, labels, (artifacts) -> PostgresSection.section(BackupKind.LOGICAL, info,
                null, artifacts));
    }

    /** A complete physical backup of cluster {@code system} on {@code timeline}, from one segment to another. */
    BackupManifest physical(String system, int timeline, long startSegment, long stopSegment, Instant start,
            Duration took, Map<String, String> labels) {
        String startLsn = lsn(startSegment);
        String stopLsn = lsn(stopSegment);
        TimelineId t = new TimelineId(timeline);
        var physical = new PostgresSection.PhysicalInfo(system, timeline, startLsn, stopLsn,
                WalFileName.segment(t, startSegment, SEGMENT).name(), WalFileName.segment(t, stopSegment, SEGMENT).name(),
                SEGMENT, 150008, start.plus(took), "stream", List.of(), null, null);
        var info = new PostgresSection.DatabaseInfo(null, "db:5432", "15.8", system, "UTF8", timeline, startLsn, stopLsn,
                false, List.of(), null);
        return backup(start, took, 4096, labels, artifacts -> PostgresSection.section(BackupKind.PHYSICAL, info,
                physical, artifacts));
    }

    private BackupManifest backup(Instant start, Duration took, int bytes, Map<String, String> labels,
            java.util.function.Function<List<ArtifactRecord>, io.arca.core.source.Section> section) {
        SettableClock clock = new SettableClock(start);
        try (Storage storage = Storages.open(url)) {
            Repository repo = Repository.open(storage, clock);
            Repository.PendingBackup pending = repo.begin();
            byte[] data = new byte[bytes];
            random.nextBytes(data);
            ArtifactRecord artifact;
            try (ArtifactOutput out = pending.openArtifact("data", CodecSpec.parse("zstd"))) {
                out.write(data);
                ArtifactDigest d = out.finish();
                artifact = ArtifactRecord.of("data", "test", "raw", out, d, List.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            clock.set(start.plus(took));
            return pending.commit(BackupManifest.builder().labels(labels).tool("arca", "test")
                    .part(new BackupPart(section.apply(List.of(artifact)), List.of(artifact), null, null)));
        }
    }

    /** A drill of {@code database} restoring {@code backupId}: passed with {@code rto}, or failed with {@code failure}. */
    String drill(String database, String backupId, Instant start, Duration rto, String failure) {
        try (Storage storage = Storages.open(url)) {
            Repository r = Repository.open(storage, new SettableClock(start));
            BackupId id = r.newDrillId();
            r.writeDrill(new DrillRecord(RepositoryConfig.FORMAT_VERSION, id.value(), r.config().repositoryId(),
                    backupId, database, start, start.plus(rto == null ? Duration.ofMinutes(1) : rto),
                    start.minus(Duration.ofHours(1)), 3600,
                    new DrillRecord.Scratch("ephemeral-cluster", "15.8", null, "arca_drill"), Map.of("arca", "test"),
                    Map.of(), rto == null ? null : rto.toMillis(), null, List.of(), null, List.of(),
                    failure == null ? DrillRecord.PASS : DrillRecord.FAIL, failure));
            return id.value();
        }
    }

    /** Writes a run record (and its summary) of {@code job} for {@code subject}. */
    RunRecord run(String job, String subject, Instant start, Duration took, String outcome) {
        try (Storage storage = Storages.open(url)) {
            Repository r = Repository.open(storage, new SettableClock(start.plus(took)));
            String id = BackupId.generate(start, random).value();
            boolean ok = RunRecord.SUCCEEDED.equals(outcome);
            RunRecord record = new RunRecord(RunRecord.FORMAT_VERSION, id, job, subject, "schedule", "test-host", start,
                    start.plus(took), outcome, ok ? null : "ARCA-1500", ok ? 0 : 14,
                    ok ? null : "cannot connect to postgresql", ok ? 1000L : null, ok ? 400L : null, null, Map.of());
            r.runs().write(record);
            return record;
        }
    }

    /**
     * Archives WAL segment {@code segment} of cluster {@code system} (a partial one when asked),
     * stored at {@code stored} when the store keeps files on disk (its modification time).
     */
    void wal(String system, int timeline, long segment, boolean partial, Instant stored) {
        String name = WalFileName.segment(new TimelineId(timeline), segment, SEGMENT).name()
                + (partial ? ".partial" : "");
        String key = WalArchive.folder(Long.parseUnsignedLong(system), new TimelineId(timeline)) + name + "-"
                + "0".repeat(64) + ".zst";
        try (Storage storage = Storages.open(url); StorageWriter w = storage.openWrite(key, WriteOptions.DEFAULT)) {
            w.write(("wal " + name).getBytes(StandardCharsets.UTF_8));
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (url.scheme().equals("file")) {
            try {
                Files.setLastModifiedTime(url.filePath().resolve(key), FileTime.from(stored));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Saves objectives in {@code arca.json}, by subject name or {@code *}. */
    void saveObjectives(Map<String, RepositoryConfig.Objectives> objectives) {
        try (Storage storage = Storages.open(url)) {
            Repository r = Repository.open(storage, new SettableClock(Instant.now()));
            RepositoryConfig.Defaults d = r.config().defaults() == null ? new RepositoryConfig.Defaults("zstd")
                    : r.config().defaults();
            r.withDefaults(d.withObjectives(new HashMap<>(objectives)));
        }
    }

    /** A folder without a manifest, as an interrupted backup leaves. */
    void interruptedBackup(Instant start) {
        BackupId id = BackupId.generate(start, random);
        try (Storage storage = Storages.open(url);
                StorageWriter w = storage.openWrite(Repository.key(id, "data.zst"), WriteOptions.DEFAULT)) {
            w.write(new byte[] {1, 2, 3});
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lsn(long segment) {
        return new Lsn(segment * SEGMENT + 40).toString();
    }
}

package io.arca.testkit.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.arca.core.repo.catalog.ObjectIndex;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.BackupPart;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The catalog index ({@link ObjectIndex}) as the repository uses it, against a real store: what
 * {@link Repository#catalog()}, {@link RunLog#list} and {@link Repository#drills()} return is
 * always what the files hold, whether the index is fresh, stale, damaged or being written by
 * others at the same time. A provider's test class extends this one and returns a fresh, empty
 * store from {@link #createStorage()}.
 *
 * <p>The index is written only once a read fetched {@link ObjectIndex.Limits#DEFAULT}'s
 * {@code minNew} files directly, so each test starts with more backups than that.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class CatalogIndexSuite {
    /** More than the files a reader must fetch directly before it writes a segment. */
    private static final int BACKUPS = ObjectIndex.Limits.DEFAULT.minNew() + 8;

    private Storage store;
    /** The store under test, counting the reads of each kind of file. */
    private CountingStorage storage;
    private final SteppingClock clock = new SteppingClock();
    private Repository repo;

    /** A new, empty store for one test. */
    protected abstract Storage createStorage();

    @BeforeEach
    void createRepository() {
        store = createStorage();
        storage = new CountingStorage(store);
        repo = Repository.init(storage, new RepositoryConfig.Defaults(null), clock);
    }

    @AfterEach
    void closeStorage() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void theSecondListingTakesTheManifestsFromTheIndexAndEqualsTheFirst() {
        List<String> ids = backups(BACKUPS);
        Repository.Catalog first = repo.catalog();
        assertThat(first.backups()).extracting(BackupManifest::backupId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(segments("backups")).as("the first listing read every manifest and wrote a segment").hasSize(1);

        storage.reads.clear();
        Repository.Catalog second = repo.catalog();
        assertThat(second).isEqualTo(first);
        assertThat(storage.manifestReads()).as("manifests read directly").isZero();

        new ObjectIndex(storage, "backups", clock).clear();
        assertThat(repo.catalog()).as("rebuilt from the manifests").isEqualTo(first);
    }

    @Test
    void aManifestEditedAfterIndexingIsReadFromTheManifest() throws IOException {
        List<String> ids = backups(BACKUPS);
        repo.catalog();
        String edited = ids.get(3);
        String damaged = ids.get(7);
        ObjectNode tree = (ObjectNode) RepositoryJson.mapper().readTree(read(manifestKey(edited)));
        ((ObjectNode) tree.get("labels")).put("edited", "by hand after the index was written");
        overwrite(manifestKey(edited), RepositoryJson.write(tree));
        overwrite(manifestKey(damaged), "{\"formatVersion\": 2, \"id\": ".getBytes(StandardCharsets.UTF_8));

        storage.reads.clear();
        Repository.Catalog catalog = repo.catalog();
        assertThat(catalog.backups()).filteredOn(m -> m.backupId().equals(edited)).singleElement()
                .satisfies(m -> assertThat(m.labels()).containsEntry("edited", "by hand after the index was written"));
        assertThat(catalog.backups()).extracting(BackupManifest::backupId).doesNotContain(damaged);
        assertThat(catalog.damaged()).extracting(Repository.Damaged::id).containsExactly(damaged);
        assertThat(storage.manifestReads()).as("only the two edited manifests are read").isEqualTo(2);
        assertThat(repo.resolve(edited).labels()).containsKey("edited");
    }

    @Test
    void aRemovedBackupVanishesAndANewOneIsListed() {
        List<String> ids = backups(BACKUPS);
        repo.catalog();
        repo.remove(new BackupId(ids.get(0)));
        String added = backups(1).get(0);

        Repository.Catalog catalog = repo.catalog();
        assertThat(catalog.backups()).extracting(BackupManifest::backupId)
                .doesNotContain(ids.get(0)).contains(added).hasSize(BACKUPS);
        assertThat(repo.find(ids.get(0))).isEmpty();
    }

    @Test
    void manyRemovedBackupsMergeTheIndexIntoOneSegmentWithoutThem() {
        List<String> ids = backups(BACKUPS * 3);
        repo.catalog();
        for (String id : ids.subList(0, BACKUPS * 2)) {
            repo.remove(new BackupId(id));
        }
        assertThat(repo.catalog().backups()).extracting(BackupManifest::backupId)
                .containsExactlyInAnyOrderElementsOf(ids.subList(BACKUPS * 2, ids.size()));
        assertThat(segments("backups")).hasSize(1);
        // the merged segment holds only what exists: nothing is read directly any more
        storage.reads.clear();
        assertThat(repo.catalog().backups()).hasSize(BACKUPS);
        assertThat(storage.manifestReads()).isZero();
    }

    @Test
    void aDamagedIndexIsIgnoredAndReplaced() {
        backups(BACKUPS);
        Repository.Catalog before = repo.catalog();
        List<String> damagedSegments = segments("backups");
        for (String segment : damagedSegments) {
            overwrite(segment, "not gzip at all".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(repo.catalog()).isEqualTo(before);
        assertThat(segments("backups")).as("the damaged segment is replaced").hasSize(1)
                .doesNotContainAnyElementsOf(damagedSegments);
        storage.reads.clear();
        assertThat(repo.catalog()).isEqualTo(before);
        assertThat(storage.manifestReads()).isZero();
    }

    @Test
    void concurrentWritersAndReadersAlwaysSeeEveryCommittedBackup() throws Exception {
        backups(BACKUPS);
        Set<String> committed = ConcurrentHashMap.newKeySet();
        committed.addAll(repo.list().stream().map(BackupManifest::backupId).toList());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < 12; i++) {
                        committed.add(backups(1).get(0));
                        Set<String> before = Set.copyOf(committed);
                        assertThat(repo.catalog().backups()).extracting(BackupManifest::backupId)
                                .containsAll(before);
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Repository.Catalog indexed = repo.catalog();
        assertThat(indexed.backups()).extracting(BackupManifest::backupId).containsExactlyInAnyOrderElementsOf(committed);
        new ObjectIndex(storage, "backups", clock).clear();
        assertThat(repo.catalog()).isEqualTo(indexed);
    }

    @Test
    void runRecordsAreReadThroughTheIndexOfTheirMonth() {
        RunLog runs = repo.runs();
        List<RunRecord> written = new ArrayList<>();
        for (int i = 0; i < BACKUPS; i++) {
            RunRecord r = run(clock.instant(), i % 5 == 0 ? RunRecord.FAILED : RunRecord.SUCCEEDED);
            runs.write(r);
            written.add(r);
        }
        Instant since = clock.instant().minus(Duration.ofDays(1));
        List<RunRecord> first = runs.list(since);
        assertThat(first).containsExactlyInAnyOrderElementsOf(written);
        assertThat(store.list(ObjectIndex.PREFIX + "runs/")).isNotEmpty();

        storage.reads.clear();
        assertThat(runs.list(since)).isEqualTo(first);
        assertThat(storage.reads.keySet()).noneMatch(k -> k.matches("runs/\\d{4}/.*"));

        RunRecord gone = written.get(4);
        store.delete(RunLog.key(gone.runId()));
        for (ObjectInfo segment : store.list(ObjectIndex.PREFIX + "runs/")) {
            overwrite(segment.key(), new byte[] {0x1f, (byte) 0x8b, 8, 0});
        }
        List<RunRecord> after = runs.list(since);
        assertThat(after).hasSize(BACKUPS - 1).doesNotContain(gone);
        assertThat(runs.latest().get(new RunLog.Key("backup", "app")).last()).isEqualTo(written.get(BACKUPS - 1));
    }

    @Test
    void drillEvidenceIsReadThroughTheIndex() {
        List<DrillRecord> written = new ArrayList<>();
        for (int i = 0; i < BACKUPS; i++) {
            Instant start = clock.instant();
            DrillRecord d = new DrillRecord(1, repo.newDrillId().value(), repo.config().repositoryId(),
                    "20260101T000000Z-00000000", "app", start, start.plusSeconds(30), start.minusSeconds(3600), 3600,
                    null, Map.of("arca", "test"), Map.of("restoreMillis", 20_000L), 25_000L, "4h", null, null, null,
                    DrillRecord.PASS, null);
            repo.writeDrill(d);
            written.add(d);
        }
        List<DrillRecord> first = repo.drills();
        assertThat(first).hasSize(BACKUPS);
        storage.reads.clear();
        assertThat(repo.drills()).isEqualTo(first);
        assertThat(storage.reads.keySet()).noneMatch(k -> k.startsWith("drills/"));
    }

    /** Commits {@code n} logical backups of database {@code app}, each a tiny artifact, and returns their ids. */
    private List<String> backups(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Repository.PendingBackup pending = repo.begin();
            ArtifactOutput out = pending.openArtifact("app.dump", CodecSpec.parse("zstd:1"));
            ArtifactDigest digest;
            try (out) {
                out.write(("dump " + pending.id()).getBytes(StandardCharsets.UTF_8));
                digest = out.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ArtifactRecord artifact = ArtifactRecord.of("app.dump", "postgresql.logical", "pg_dump-custom", out, digest,
                    List.of());
            ObjectNode details = RepositoryJson.mapper().createObjectNode();
            details.putObject("database").put("name", "app").put("host", "db:5432");
            Section section = Section.of("postgresql.logical", Subject.of("postgresql", "db:5432", "app"),
                    List.of("app.dump"), false, details);
            ids.add(pending.commit(BackupManifest.builder().labels(Map.of("subject", "app"))
                    .part(new BackupPart(section, List.of(artifact), Map.of("arca", "test"), null))).backupId());
        }
        return ids;
    }

    private RunRecord run(Instant start, String outcome) {
        return new RunRecord(RunRecord.FORMAT_VERSION, repo.newDrillId().value(), "backup", "app", "cli", "test-host",
                start, start.plusSeconds(5), outcome, null, 0, null, 10L, 5L, null, Map.of());
    }

    private static String manifestKey(String id) {
        return Repository.key(new BackupId(id), Repository.MANIFEST_FILE);
    }

    private List<String> segments(String name) {
        return store.list(ObjectIndex.PREFIX + name + "/").stream().map(ObjectInfo::key).toList();
    }

    private byte[] read(String key) {
        try (InputStream in = store.openRead(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void overwrite(String key, byte[] content) {
        try (StorageWriter w = store.openWrite(key, WriteOptions.DEFAULT)) {
            w.write(content);
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clock a minute further on each time it is read, from a fixed start. */
    private static final class SteppingClock extends Clock {
        private final AtomicLong minutes = new AtomicLong();
        private final Instant start = Instant.now().minus(Duration.ofHours(6)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);

        @Override
        public Instant instant() {
            return start.plusSeconds(61 * minutes.incrementAndGet());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** A store that counts the whole-object reads of each key. */
    private static final class CountingStorage implements Storage {
        private final Storage delegate;
        final Map<String, Integer> reads = new ConcurrentHashMap<>();

        CountingStorage(Storage delegate) {
            this.delegate = delegate;
        }

        long manifestReads() {
            return reads.entrySet().stream().filter(e -> e.getKey().endsWith("/" + Repository.MANIFEST_FILE))
                    .mapToLong(Map.Entry::getValue).sum();
        }

        @Override
        public StorageUrl url() {
            return delegate.url();
        }

        @Override
        public Set<StorageFeature> features() {
            return delegate.features();
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return delegate.stat(key);
        }

        @Override
        public InputStream openRead(String key, ReadRange range) {
            reads.merge(key, 1, Integer::sum);
            return delegate.openRead(key, range);
        }

        @Override
        public StorageWriter openWrite(String key, WriteOptions options) {
            return delegate.openWrite(key, options);
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return delegate.list(prefix);
        }

        @Override
        public void delete(String key) {
            delegate.delete(key);
        }

        @Override
        public void close() {
            // the test closes the store it wraps
        }
    }
}

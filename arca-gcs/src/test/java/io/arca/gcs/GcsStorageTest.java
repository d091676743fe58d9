package io.arca.gcs;

import static io.arca.testkit.storage.StorageFixtures.keys;
import static io.arca.testkit.storage.StorageFixtures.randomBytes;
import static io.arca.testkit.storage.StorageFixtures.read;
import static io.arca.testkit.storage.StorageFixtures.sha256;
import static io.arca.testkit.storage.StorageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.StorageClass;
import io.arca.core.storage.BucketLifecycle;
import io.arca.core.storage.LifecycleRule;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import io.arca.gcs.testing.LocalGcs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link GcsStorage} does beyond the shared contract, against {@link LocalGcs}. */
class GcsStorageTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final int CHUNK = GcsOptions.CHUNK_GRANULARITY;

    private final Random random = new Random(20260301);
    private final List<GcsStorage> opened = new ArrayList<>();
    private String bucket;

    @AfterEach
    void closeStores() {
        opened.forEach(GcsStorage::close);
    }

    /** A store in a new bucket, at {@code gs://bucket/<path>}. */
    private GcsStorage store(String pathAndQuery) {
        bucket = "unit-" + BUCKETS.incrementAndGet();
        return storeInSameBucket(pathAndQuery);
    }

    private GcsStorage storeInSameBucket(String pathAndQuery) {
        GcsStorage storage = LocalGcs.open(StorageUrl.parse("gs://" + bucket + "/" + pathAndQuery));
        opened.add(storage);
        return storage;
    }

    @Test
    void listingFetchesEveryPage() {
        StorageUrl url = StorageUrl.parse("gs://paging-" + BUCKETS.incrementAndGet() + "/repo");
        GcsStorage storage = LocalGcs.open(url, LocalGcs.optionsOf(url).withListPageSize(100));
        opened.add(storage);
        List<String> expected = IntStream.range(0, 250).mapToObj(i -> String.format("k/%03d", i)).toList();
        expected.forEach(key -> write(storage, key, new byte[] {1}));

        LocalGcs.Counts before = LocalGcs.counts();
        List<ObjectInfo> listed = storage.list("k/");

        assertThat(keys(listed)).containsExactlyElementsOf(expected);
        assertThat(LocalGcs.counts().minus(before).listRequests()).as("pages of 100 for 250 objects").isEqualTo(3);
    }

    @Test
    void keysMapToObjectsUnderThePrefix() {
        GcsStorage storage = store("backups/prod");

        write(storage, "a/b", "x".getBytes(StandardCharsets.UTF_8));

        assertThat(LocalGcs.client().get(BlobId.of(bucket, "backups/prod/a/b"))).isNotNull();
        assertThat(storage.rulePrefix()).isEqualTo("backups/prod/");
        assertThat(storage.ruleId()).isEqualTo("arca-backups/prod");
    }

    @Test
    void objectsWhoseNamesAreNotKeysAreNotListed() {
        GcsStorage storage = store("repo");
        write(storage, "dir/real", new byte[] {1});
        // what the console and other tools leave: folder placeholders and doubled slashes
        for (String name : List.of("repo/dir/", "repo//odd", "repo/dir/./x")) {
            LocalGcs.client().create(BlobInfo.newBuilder(bucket, name).build(), new byte[0]);
        }

        assertThat(keys(storage.list(""))).containsExactly("dir/real");
    }

    @Test
    void smallObjectsTakeOneRequest() {
        GcsStorage storage = store("repo");
        LocalGcs.Counts before = LocalGcs.counts();

        write(storage, "small", randomBytes(random, 100_000));

        LocalGcs.Counts used = LocalGcs.counts().minus(before);
        assertThat(used.singleRequestUploads()).isEqualTo(1);
        assertThat(used.uploadSessions()).isZero();
    }

    @Test
    void largeObjectsGoUpInChunks() throws IOException {
        GcsStorage storage = store("repo?chunk-size=256KiB");
        byte[] data = randomBytes(random, 5 * CHUNK + 12_345);
        LocalGcs.Counts before = LocalGcs.counts();

        ObjectInfo committed;
        try (StorageWriter writer = storage.openWrite("big", WriteOptions.DEFAULT)) {
            for (int offset = 0; offset < data.length; ) {
                int n = Math.min(data.length - offset, 1 + random.nextInt(100_000));
                writer.write(data, offset, n);
                offset += n;
            }
            committed = writer.commit();
        }

        LocalGcs.Counts used = LocalGcs.counts().minus(before);
        assertThat(used.uploadSessions()).isEqualTo(1);
        assertThat(used.uploadChunks()).as("one request per 256 KiB chunk").isEqualTo(6);
        assertThat(used.singleRequestUploads()).isZero();
        assertThat(committed.size()).isEqualTo(data.length);
        assertThat(committed.lastModified()).isNotNull();
        assertThat(sha256(storage, "big")).isEqualTo(sha256(data));
    }

    @Test
    void knownLargeSizeStartsTheUploadAtOnce() throws IOException {
        GcsStorage storage = store("repo?chunk-size=256KiB");
        LocalGcs.Counts before = LocalGcs.counts();

        try (StorageWriter writer = storage.openWrite("big", WriteOptions.DEFAULT.withExpectedSize(2L * CHUNK))) {
            writer.write(new byte[10]);
            assertThat(LocalGcs.counts().minus(before).uploadSessions()).isEqualTo(1);
            writer.write(new byte[2 * CHUNK - 10]);
            writer.commit();
        }

        assertThat(storage.stat("big").orElseThrow().size()).isEqualTo(2L * CHUNK);
    }

    @Test
    void abortAfterChunksWereSentPublishesNothing() throws IOException {
        GcsStorage storage = store("repo?chunk-size=256KiB");
        byte[] original = randomBytes(random, 1_000);
        write(storage, "kept", original);
        LocalGcs.Counts before = LocalGcs.counts();

        for (String key : List.of("new", "kept")) {
            try (StorageWriter writer = storage.openWrite(key, WriteOptions.DEFAULT)) {
                writer.write(randomBytes(random, 3 * CHUNK + 1));
            }
        }

        LocalGcs.Counts used = LocalGcs.counts().minus(before);
        assertThat(used.uploadChunks()).as("chunks that reached the service").isEqualTo(6);
        assertThat(used.openUploads()).as("sessions left unfinalised, to expire").isEqualTo(2);
        assertThat(storage.stat("new")).isEmpty();
        assertThat(keys(storage.list(""))).containsExactly("kept");
        assertThat(read(storage, "kept")).isEqualTo(original);
    }

    @Test
    void ifAbsentLargeWriteOnAnExistingKeyFailsAtCommit() throws IOException {
        GcsStorage storage = store("repo?chunk-size=256KiB");
        byte[] original = randomBytes(random, 1_000);
        write(storage, "taken", original);

        try (StorageWriter writer = storage.openWrite("taken", WriteOptions.ifAbsent())) {
            writer.write(randomBytes(random, 2 * CHUNK + 1));
            writer.write(randomBytes(random, CHUNK));
            assertThatThrownBy(writer::commit).isInstanceOf(StorageAlreadyExistsException.class)
                    .hasMessageContaining("'taken'").hasMessageContaining("gs://" + bucket + "/repo");
        }

        assertThat(read(storage, "taken")).isEqualTo(original);
    }

    @Test
    void concurrentLargeIfAbsentWritersHaveOneWinner() throws Exception {
        GcsStorage storage = store("repo?chunk-size=256KiB");
        int writers = 4;
        CyclicBarrier beforeCommit = new CyclicBarrier(writers);
        List<Callable<Boolean>> tasks = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            byte[] content = randomBytes(random, 2 * CHUNK + i);
            tasks.add(() -> {
                try (StorageWriter writer = storage.openWrite("contended", WriteOptions.ifAbsent())) {
                    writer.write(content);
                    beforeCommit.await(1, TimeUnit.MINUTES);
                    writer.commit();
                    return true;
                } catch (StorageAlreadyExistsException e) {
                    return false;
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Boolean> won = new ArrayList<>();
        try {
            for (Future<Boolean> result : pool.invokeAll(tasks)) {
                won.add(result.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(won).containsOnlyOnce(true);
        assertThat(storage.stat("contended").orElseThrow().size()).isBetween(2L * CHUNK, 2L * CHUNK + writers);
    }

    @Test
    void storageClassIsSetOnEveryObject() throws IOException {
        GcsStorage storage = store("repo?storage-class=coldline&chunk-size=256KiB");

        write(storage, "small", new byte[] {1});
        try (StorageWriter writer = storage.openWrite("large", WriteOptions.DEFAULT)) {
            writer.write(new byte[2 * CHUNK]);
            writer.commit();
        }

        for (String name : List.of("repo/small", "repo/large")) {
            assertThat(LocalGcs.client().get(BlobId.of(bucket, name)).getStorageClass()).isEqualTo(StorageClass.COLDLINE);
        }
    }

    @Test
    void storesOfOneUrlShareTheirObjects() {
        GcsStorage first = store("shared");
        GcsStorage second = storeInSameBucket("shared");

        write(first, "key", new byte[] {7});

        assertThat(read(second, "key")).containsExactly(7);
    }

    @Test
    void missingKeysAskOnceWhetherTheBucketExists() {
        GcsStorage storage = store("repo");

        LocalGcs.Counts before = LocalGcs.counts();
        assertThat(storage.stat("missing")).isEmpty();
        assertThatThrownBy(() -> storage.openRead("missing")).isInstanceOf(StorageNotFoundException.class)
                .hasMessage("object 'missing' not found in 'gs://" + bucket + "/repo'");
        assertThat(storage.stat("missing")).isEmpty();

        assertThat(LocalGcs.counts().minus(before).listRequests()).isEqualTo(1);
    }

    @Test
    void aMissingBucketIsAnAccessErrorForEveryOperation() {
        GcsStorage storage = LocalGcs.open(StorageUrl.parse("gs://missing-bucket/repo"));
        opened.add(storage);
        String message = "bucket 'missing-bucket' of 'gs://missing-bucket/repo' does not exist";

        List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls = List.of(
                () -> storage.list(""),
                () -> storage.stat("arca.json"),
                () -> storage.openRead("arca.json"),
                () -> storage.openRead("arca.json", new io.arca.core.storage.ReadRange(0, 0)),
                () -> write(storage, "arca.json", new byte[] {1}),
                () -> write(storage, "arca.json", new byte[] {1}, WriteOptions.ifAbsent()),
                () -> write(storage, "big", new byte[GcsOptions.DEFAULT_CHUNK_SIZE + 1]),
                () -> storage.rules(storage.rulePrefix()),
                () -> storage.apply(new LifecycleRule("arca-repo", "repo/", OptionalInt.empty(), null,
                        OptionalInt.of(1))));
        for (var call : calls) {
            assertThatThrownBy(call).isInstanceOf(StorageAccessException.class).hasMessage(message)
                    .satisfies(e -> assertThat(((StorageAccessException) e).hint())
                            .contains("gcloud storage buckets create gs://missing-bucket"));
        }
        storage.delete("arca.json");
    }

    @Test
    void lifecycleRulesRoundTripThroughTheBucket() {
        GcsStorage storage = store("backups/prod");
        BucketLifecycle lifecycle = storage.capability(BucketLifecycle.class).orElseThrow();
        // rules of others: another prefix, and a kind Arca does not write
        LocalGcs.client().update(BucketInfo.newBuilder(bucket).setLifecycleRules(List.of(
                new BucketInfo.LifecycleRule(BucketInfo.LifecycleRule.LifecycleAction.newDeleteAction(),
                        BucketInfo.LifecycleRule.LifecycleCondition.newBuilder().setAge(7)
                                .setMatchesPrefix(List.of("tmp/")).build()),
                new BucketInfo.LifecycleRule(BucketInfo.LifecycleRule.LifecycleAction.newAbortIncompleteMPUploadAction(),
                        BucketInfo.LifecycleRule.LifecycleCondition.newBuilder().setAge(1).build()))).build());
        LifecycleRule rule = new LifecycleRule(lifecycle.ruleId(), lifecycle.rulePrefix(), OptionalInt.of(30),
                "COLDLINE", OptionalInt.of(365));

        lifecycle.apply(rule);
        lifecycle.apply(new LifecycleRule(lifecycle.ruleId(), lifecycle.rulePrefix(), OptionalInt.of(90), "ARCHIVE",
                OptionalInt.of(730)));

        assertThat(lifecycle.rules(lifecycle.rulePrefix())).containsExactly(new LifecycleRule("arca-backups/prod", "backups/prod/",
                OptionalInt.of(90), "ARCHIVE", OptionalInt.of(730)));
        List<? extends BucketInfo.LifecycleRule> stored = LocalGcs.client().get(bucket).getLifecycleRules();
        assertThat(stored).hasSize(4);
        assertThat(stored.subList(0, 2)).extracting(r -> r.getAction().getActionType())
                .containsExactly("Delete", "AbortIncompleteMultipartUpload");
    }

    @Test
    void lifecycleRefusesAnUnknownStorageClass() {
        GcsStorage storage = store("repo");

        assertThatThrownBy(() -> storage.apply(new LifecycleRule(storage.ruleId(), storage.rulePrefix(),
                OptionalInt.of(30), "GLACIER", OptionalInt.empty())))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("'GLACIER'")
                .hasMessageContaining("'" + bucket + "'")
                .satisfies(e -> assertThat(((StorageAccessException) e).hint()).contains("ARCHIVE"));
        assertThat(storage.rules(storage.rulePrefix())).isEmpty();
    }

    @Test
    void invalidUrlsAreRefused() {
        assertThatThrownBy(() -> LocalGcs.open(StorageUrl.parse("gs://bucket/repo?colour=blue")))
                .isInstanceOf(StorageAccessException.class)
                .hasMessage("unknown option 'colour' in repository URL 'gs://bucket/repo?colour=blue'")
                .satisfies(e -> assertThat(((StorageAccessException) e).hint())
                        .isEqualTo("options for gs:// URLs: chunk-size, endpoint, project, storage-class"));
        assertThatThrownBy(() -> LocalGcs.open(StorageUrl.parse("gs://bucket/a/../b")))
                .isInstanceOf(StorageAccessException.class).hasMessageContaining("'a/../b'");
        assertThatThrownBy(() -> LocalGcs.open(StorageUrl.parse("s3://bucket/repo")))
                .isInstanceOf(StorageAccessException.class).hasMessageContaining("'s3://bucket/repo'");
    }

    @Test
    void closedStoresRefuseWork() {
        GcsStorage storage = store("repo");
        storage.close();

        assertThatThrownBy(() -> storage.stat("k")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.list("")).isInstanceOf(IllegalStateException.class);
        assertThat(LocalGcs.client().get(bucket)).as("the given client stays open").isNotNull();
    }
}

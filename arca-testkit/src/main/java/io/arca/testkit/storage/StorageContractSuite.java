package io.arca.testkit.storage;

import static io.arca.testkit.storage.StorageFixtures.keys;
import static io.arca.testkit.storage.StorageFixtures.randomBytes;
import static io.arca.testkit.storage.StorageFixtures.read;
import static io.arca.testkit.storage.StorageFixtures.sha256;
import static io.arca.testkit.storage.StorageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of {@link Storage}, run against a real provider. Every provider has a test class
 * that extends this one and returns a fresh, empty store from {@link #createStorage()}.
 *
 * <p>Random data comes from one seed per run, printed once; rerun with
 * {@code -Darca.test.seed=<seed>} to repeat it. Each test derives its own generator from the seed
 * and its name, so one test's data does not depend on which others ran.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class StorageContractSuite {

    /** Larger than the usual multipart thresholds (5 and 8 MiB) and not a multiple of them. */
    protected static final int MULTIPART_SIZE = 20 * 1024 * 1024 + 3;

    private static final long SEED = Long.getLong("arca.test.seed", new SecureRandom().nextLong());

    /** The store under test; closed after each test. */
    protected Storage storage;
    /** Seeded per test; see the class comment. */
    protected Random random;

    /** A new, empty store for one test. */
    protected abstract Storage createStorage();

    @BeforeAll
    static void logSeed() {
        System.out.println("storage contract suite seed " + SEED + " (repeat with -Darca.test.seed=" + SEED + ")");
    }

    @BeforeEach
    void openStorage(TestInfo test) {
        random = new Random(SEED * 31 + test.getDisplayName().hashCode());
        storage = createStorage();
        assertThat(storage.list("")).as("a new store must be empty").isEmpty();
    }

    @AfterEach
    void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    @Test
    void emptyObject() {
        ObjectInfo committed = write(storage, "empty", new byte[0]);

        assertThat(committed.key()).isEqualTo("empty");
        assertThat(committed.size()).isZero();
        assertThat(storage.stat("empty")).hasValueSatisfying(info -> assertThat(info.size()).isZero());
        assertThat(read(storage, "empty")).isEmpty();
        assertThat(keys(storage.list(""))).containsExactly("empty");
    }

    @Test
    void tinyObject() {
        byte[] data = "hello, arca".getBytes(StandardCharsets.UTF_8);

        ObjectInfo committed = write(storage, "dir/tiny.txt", data);

        assertThat(committed.key()).isEqualTo("dir/tiny.txt");
        assertThat(committed.size()).isEqualTo(data.length);
        assertThat(committed.lastModified()).isNotNull();
        ObjectInfo stat = storage.stat("dir/tiny.txt").orElseThrow();
        assertThat(stat.key()).isEqualTo("dir/tiny.txt");
        assertThat(stat.size()).isEqualTo(data.length);
        assertThat(stat.lastModified()).isNotNull();
        assertThat(read(storage, "dir/tiny.txt")).isEqualTo(data);
        assertThat(storage.list("")).singleElement().satisfies(info -> {
            assertThat(info.key()).isEqualTo("dir/tiny.txt");
            assertThat(info.size()).isEqualTo(data.length);
        });
    }

    @Test
    void multipartSizedObject() throws IOException {
        byte[] data = randomBytes(random, MULTIPART_SIZE);

        ObjectInfo committed;
        try (StorageWriter writer = storage.openWrite("big", WriteOptions.DEFAULT.withExpectedSize(data.length))) {
            // uneven chunks, so no write lines up with a part boundary
            int offset = 0;
            while (offset < data.length) {
                int n = Math.min(data.length - offset, 1 + random.nextInt(3 * 1024 * 1024));
                writer.write(data, offset, n);
                offset += n;
            }
            committed = writer.commit();
        }

        assertThat(committed.size()).isEqualTo(data.length);
        assertThat(storage.stat("big").orElseThrow().size()).isEqualTo(data.length);
        assertThat(sha256(storage, "big")).as("SHA-256 after a round trip, seed %d", SEED).isEqualTo(sha256(data));
        int mib = 1024 * 1024;
        assertRange("big", data, new ReadRange(5L * mib - 7, 20));
        assertRange("big", data, new ReadRange(8L * mib - 1, 2));
        assertRange("big", data, new ReadRange(3L * mib, 11L * mib));
        assertRange("big", data, ReadRange.from(data.length - 100L));
    }

    @Test
    void rangedReads() {
        byte[] data = randomBytes(random, 10_000);
        write(storage, "ranged", data);

        assertRange("ranged", data, new ReadRange(1_000, 500));
        assertRange("ranged", data, ReadRange.from(9_000));
        assertRange("ranged", data, ReadRange.from(0));
        assertRange("ranged", data, new ReadRange(0, 1));
        assertRange("ranged", data, new ReadRange(9_999, 1));
        assertThat(read(storage, "ranged", new ReadRange(9_990, 100))).as("a range over the end stops at the end")
                .isEqualTo(Arrays.copyOfRange(data, 9_990, 10_000));
        assertThat(read(storage, "ranged", ReadRange.from(10_000))).as("from the end").isEmpty();
        assertThat(read(storage, "ranged", ReadRange.from(20_000))).as("past the end").isEmpty();
        assertThat(read(storage, "ranged", new ReadRange(20_000, 10))).as("past the end, with a length").isEmpty();
        assertThat(read(storage, "ranged", new ReadRange(5_000, 0))).as("zero length").isEmpty();
        assertThat(read(storage, "ranged", new ReadRange(0, 0))).as("zero length at the start").isEmpty();
    }

    @Test
    void statOfMissingKeyIsEmpty() {
        write(storage, "folder/object", new byte[] {1});

        assertThat(storage.stat("missing")).isEmpty();
        assertThat(storage.stat("folder/missing")).isEmpty();
        assertThat(storage.stat("folder")).as("a folder of keys is not an object").isEmpty();
        assertThat(storage.stat("folder/object/below")).as("below an object").isEmpty();
    }

    @Test
    void openReadOfMissingKeyThrowsNotFound() {
        write(storage, "folder/object", new byte[] {1});

        assertThatThrownBy(() -> storage.openRead("missing")).isInstanceOf(StorageNotFoundException.class);
        assertThatThrownBy(() -> storage.openRead("missing", new ReadRange(10, 10)))
                .isInstanceOf(StorageNotFoundException.class);
        assertThatThrownBy(() -> storage.openRead("folder")).isInstanceOf(StorageNotFoundException.class);
    }

    @Test
    void abortLeavesNothing() throws IOException {
        try (StorageWriter writer = storage.openWrite("aborted/object", WriteOptions.DEFAULT)) {
            writer.write(randomBytes(random, 100_000));
        }

        assertThat(storage.stat("aborted/object")).isEmpty();
        assertThat(storage.list("")).isEmpty();
        assertThatThrownBy(() -> storage.openRead("aborted/object")).isInstanceOf(StorageNotFoundException.class);
    }

    @Test
    void abortedOverwriteKeepsTheOldObject() throws IOException {
        byte[] original = randomBytes(random, 1_000);
        write(storage, "kept", original);

        try (StorageWriter writer = storage.openWrite("kept", WriteOptions.DEFAULT)) {
            writer.write(randomBytes(random, 2_000));
        }

        assertThat(read(storage, "kept")).isEqualTo(original);
        assertThat(keys(storage.list(""))).containsExactly("kept");
    }

    @Test
    void writeAfterCommitThrows() throws IOException {
        StorageWriter writer = storage.openWrite("once", WriteOptions.DEFAULT);
        writer.write(1);
        writer.commit();

        assertThatThrownBy(() -> writer.write(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer.write(new byte[] {3, 4})).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        writer.close();
        assertThat(read(storage, "once")).as("close after commit keeps the object").containsExactly(1);
    }

    @Test
    void writeAfterAbortThrows() throws IOException {
        StorageWriter writer = storage.openWrite("never", WriteOptions.DEFAULT);
        writer.write(1);
        writer.close();

        assertThatThrownBy(() -> writer.write(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        assertThat(storage.stat("never")).isEmpty();
    }

    @Test
    void overwriteReplaces() {
        write(storage, "replaced", randomBytes(random, 5_000));
        byte[] second = randomBytes(random, 1_234);

        ObjectInfo committed = write(storage, "replaced", second);

        assertThat(committed.size()).isEqualTo(second.length);
        assertThat(storage.stat("replaced").orElseThrow().size()).isEqualTo(second.length);
        assertThat(read(storage, "replaced")).isEqualTo(second);
        assertThat(keys(storage.list(""))).containsExactly("replaced");
    }

    @Test
    void ifAbsentWriteCreatesAMissingKey() {
        byte[] data = randomBytes(random, 100);

        ObjectInfo committed = write(storage, "new/key", data, WriteOptions.ifAbsent());

        assertThat(committed.size()).isEqualTo(data.length);
        assertThat(read(storage, "new/key")).isEqualTo(data);
    }

    @Test
    void ifAbsentWriteOnExistingKeyFailsAndKeepsTheOriginal() {
        byte[] original = randomBytes(random, 300);
        write(storage, "taken", original);

        assertThatThrownBy(() -> write(storage, "taken", randomBytes(random, 200), WriteOptions.ifAbsent()))
                .isInstanceOf(StorageAlreadyExistsException.class)
                .hasMessageContaining("'taken'");

        assertThat(read(storage, "taken")).isEqualTo(original);
        assertThat(keys(storage.list(""))).containsExactly("taken");
    }

    @Test
    void concurrentIfAbsentWritersOnOneKey() throws Exception {
        int writers = 8;
        // one race is easily won by timing alone; many make a non-atomic check show
        int rounds = 40;
        byte[][] contents = new byte[writers][];
        for (int i = 0; i < writers; i++) {
            contents[i] = randomBytes(random, 1_000 + i);
        }
        CyclicBarrier beforeCommit = new CyclicBarrier(writers);

        List<Callable<boolean[]>> tasks = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            byte[] content = contents[i];
            tasks.add(() -> {
                boolean[] won = new boolean[rounds];
                for (int round = 0; round < rounds; round++) {
                    try (StorageWriter writer = storage.openWrite("contended/" + round, WriteOptions.ifAbsent())) {
                        writer.write(content);
                        // all commit together, so the commits really race
                        beforeCommit.await(1, TimeUnit.MINUTES);
                        writer.commit();
                        won[round] = true;
                    } catch (StorageAlreadyExistsException e) {
                        won[round] = false;
                    }
                }
                return won;
            });
        }
        List<boolean[]> results = runAll(tasks);

        boolean atomic = storage.features().contains(StorageFeature.ATOMIC_IF_ABSENT);
        for (int round = 0; round < rounds; round++) {
            int r = round;
            List<Integer> winners = IntStream.range(0, writers).filter(i -> results.get(i)[r]).boxed().toList();
            byte[] stored = read(storage, "contended/" + round);
            if (atomic) {
                assertThat(winners).as("writers whose if-absent commit won round %d", round).hasSize(1);
                assertThat(stored).as("the winner's content").isEqualTo(contents[winners.get(0)]);
            } else {
                // best effort only: at least one wins, and the object is one writer's whole content
                assertThat(winners).isNotEmpty();
                assertThat(winners).anySatisfy(i -> assertThat(stored).isEqualTo(contents[i]));
            }
        }
        assertThat(storage.list("contended/")).hasSize(rounds);
    }

    @Test
    void listingSpansMoreThanOnePage() throws Exception {
        int count = 1_200;
        List<String> expected = IntStream.range(0, count).mapToObj(i -> String.format("page/%05d", i)).toList();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int first = t;
            tasks.add(() -> {
                for (int i = first; i < count; i += 8) {
                    write(storage, expected.get(i), expected.get(i).getBytes(StandardCharsets.UTF_8));
                }
                return null;
            });
        }
        runAll(tasks);
        write(storage, "pagex", new byte[] {1});
        write(storage, "other/1", new byte[] {1});

        List<ObjectInfo> listed = storage.list("page/");

        assertThat(keys(listed)).containsExactlyElementsOf(expected);
        assertThat(listed).allSatisfy(info -> assertThat(info.size()).isEqualTo("page/00000".length()));
        assertThat(storage.list("")).hasSize(count + 2);
        assertThat(keys(storage.list("page"))).hasSize(count + 1).endsWith("pagex");
    }

    @Test
    void listPrefixNeedNotEndAtAFolder() {
        for (String key : List.of("a/a", "a/b", "a/b1", "a/bc/x", "a/c", "ab", "b")) {
            write(storage, key, key.getBytes(StandardCharsets.UTF_8));
        }

        assertThat(keys(storage.list("a/b"))).containsExactly("a/b", "a/b1", "a/bc/x");
        assertThat(keys(storage.list("a/"))).containsExactly("a/a", "a/b", "a/b1", "a/bc/x", "a/c");
        assertThat(keys(storage.list("a"))).containsExactly("a/a", "a/b", "a/b1", "a/bc/x", "a/c", "ab");
        assertThat(keys(storage.list("a/bc/"))).containsExactly("a/bc/x");
        assertThat(keys(storage.list("a/bc/x"))).containsExactly("a/bc/x");
        assertThat(keys(storage.list(""))).containsExactly("a/a", "a/b", "a/b1", "a/bc/x", "a/c", "ab", "b");
        assertThat(storage.list("a/b/")).as("below an object").isEmpty();
        assertThat(storage.list("a/bc/x/")).as("below a nested object").isEmpty();
        assertThat(storage.list("zz")).isEmpty();
        assertThat(storage.list("missing/folder/")).isEmpty();
    }

    @Test
    void listSortsByUtf8Bytes() {
        // '-' < '.' < '/' < '0' in ASCII, and U+FF21 < U+1F600 in UTF-8 although not in UTF-16
        List<String> sorted = List.of("s/A", "s/Z", "s/a", "s/x-1", "s/x.1", "s/x/1", "s/x0", "s/\u00e9",
                "s/\uff21", "s/\ud83d\ude00");
        List<String> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, random);
        for (String key : shuffled) {
            write(storage, key, new byte[] {1});
        }

        assertThat(keys(storage.list("s/"))).containsExactlyElementsOf(sorted);
        assertThat(keys(storage.list("s/x"))).containsExactly("s/x-1", "s/x.1", "s/x/1", "s/x0");
    }

    @Test
    void listExcludesUncommittedWrites() throws IOException {
        write(storage, "done", new byte[] {1});

        try (StorageWriter writer = storage.openWrite("pending", WriteOptions.DEFAULT)) {
            writer.write(randomBytes(random, 10_000));
            writer.flush();

            assertThat(keys(storage.list(""))).containsExactly("done");
            assertThat(storage.list("pending")).isEmpty();
            assertThat(storage.stat("pending")).isEmpty();
            writer.commit();
        }
        assertThat(keys(storage.list(""))).containsExactly("done", "pending");
    }

    @Test
    void deleteTwiceSucceeds() {
        write(storage, "gone/soon", new byte[] {1, 2, 3});
        write(storage, "gone/stays", new byte[] {4});

        storage.delete("gone/soon");
        storage.delete("gone/soon");
        storage.delete("never/existed");

        assertThat(storage.stat("gone/soon")).isEmpty();
        assertThatThrownBy(() -> storage.openRead("gone/soon")).isInstanceOf(StorageNotFoundException.class);
        assertThat(keys(storage.list(""))).containsExactly("gone/stays");
        storage.delete("gone/stays");
        assertThat(storage.list("")).isEmpty();
        write(storage, "gone/again", new byte[] {5});
        assertThat(read(storage, "gone/again")).containsExactly(5);
    }

    @Test
    void concurrentWritersOnDifferentKeys() throws Exception {
        int threads = 8;
        int perThread = 8;
        Map<String, String> expected = new ConcurrentHashMap<>();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long threadSeed = random.nextLong();
            int thread = t;
            tasks.add(() -> {
                Random own = new Random(threadSeed);
                for (int i = 0; i < perThread; i++) {
                    String key = "concurrent/" + thread + "/" + i;
                    byte[] data = randomBytes(own, own.nextInt(256 * 1024));
                    write(storage, key, data);
                    expected.put(key, sha256(data));
                }
                return null;
            });
        }
        runAll(tasks);

        assertThat(keys(storage.list("concurrent/"))).containsExactlyElementsOf(new TreeMap<>(expected).keySet());
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            assertThat(sha256(storage, entry.getKey())).as("%s, seed %d", entry.getKey(), SEED)
                    .isEqualTo(entry.getValue());
        }
    }

    @Test
    void readersNeverSeeAPartialOverwrite() throws Exception {
        byte[] large = new byte[300_000];
        Arrays.fill(large, (byte) 'a');
        byte[] small = new byte[100_000];
        Arrays.fill(small, (byte) 'b');
        write(storage, "flipping", large);
        AtomicBoolean writing = new AtomicBoolean(true);

        List<Callable<Integer>> tasks = new ArrayList<>();
        tasks.add(() -> {
            try {
                for (int i = 0; i < 30; i++) {
                    write(storage, "flipping", i % 2 == 0 ? small : large);
                }
                return 0;
            } finally {
                writing.set(false);
            }
        });
        for (int r = 0; r < 2; r++) {
            tasks.add(() -> {
                int reads = 0;
                do {
                    byte[] seen = read(storage, "flipping");
                    if (!Arrays.equals(seen, large) && !Arrays.equals(seen, small)) {
                        fail("read %d bytes that are neither whole version", seen.length);
                    }
                    reads++;
                } while (writing.get());
                return reads;
            });
        }
        List<Integer> results = runAll(tasks);

        assertThat(results.subList(1, results.size())).allSatisfy(reads -> assertThat(reads).isPositive());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a", "a/", "a//b", "a\\b", "a\0b", ".", "..", "a/./b", "a/../b", "../a", "a/.."})
    void invalidKeysAreRejected(String key) {
        assertThatThrownBy(() -> storage.stat(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.openRead(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.openWrite(key, WriteOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.delete(key)).isInstanceOf(IllegalArgumentException.class);
        assertThat(storage.list("")).isEmpty();
    }

    /** Checks one range against the source bytes, naming the first differing byte. */
    protected void assertRange(String key, byte[] data, ReadRange range) {
        int from = (int) Math.min(range.offset(), data.length);
        int to = range.length() == ReadRange.TO_END ? data.length : (int) Math.min(data.length, from + range.length());
        byte[] expected = Arrays.copyOfRange(data, from, to);
        byte[] actual = read(storage, key, range);
        assertThat(actual.length).as("bytes read from %s of '%s'", range, key).isEqualTo(expected.length);
        int mismatch = Arrays.mismatch(actual, expected);
        assertThat(mismatch).as("first differing byte in %s of '%s', seed %d", range, key, SEED).isEqualTo(-1);
    }

    /** Runs the tasks on their own threads and returns their results, failing on the first error. */
    private static <T> List<T> runAll(List<? extends Callable<T>> tasks) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(task));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                try {
                    results.add(future.get(4, TimeUnit.MINUTES));
                } catch (ExecutionException e) {
                    throw new AssertionError("a concurrent task failed (seed " + SEED + ")", e.getCause());
                } catch (TimeoutException e) {
                    throw new AssertionError("a concurrent task did not finish", e);
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }
}

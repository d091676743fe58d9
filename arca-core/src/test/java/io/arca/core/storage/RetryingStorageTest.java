package io.arca.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryingStorageTest {

    private static final long SEED = 42;
    private static final RetryPolicy FIVE_TRIES = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1));

    private final FlakyStorage delegate = new FlakyStorage();
    private final List<Duration> sleeps = new ArrayList<>();

    /** The retried operations, each called through a store. */
    enum Operation {
        STAT(s -> s.stat("k")),
        OPEN_READ(s -> s.openRead("k", ReadRange.from(3))),
        OPEN_WRITE(s -> s.openWrite("k", WriteOptions.ifAbsent())),
        LIST(s -> s.list("p")),
        DELETE(s -> {
            s.delete("k");
            return "deleted";
        });

        final Function<Storage, Object> call;

        Operation(Function<Storage, Object> call) {
            this.call = call;
        }
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void transientFailuresAreRetried(Operation operation) {
        Object expected = operation.call.apply(delegate);
        delegate.calls = 0;
        delegate.failures(3, () -> new StorageTransientException("flaky", null));

        Object result = operation.call.apply(retrying(FIVE_TRIES));

        assertThat(result).isEqualTo(expected);
        assertThat(delegate.calls).isEqualTo(4);
        assertThat(sleeps).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void givesUpAfterMaxAttemptsWithTheLastFailure(Operation operation) {
        List<StorageTransientException> thrown = new ArrayList<>();
        delegate.failures(100, () -> {
            StorageTransientException e = new StorageTransientException("flaky " + thrown.size(), null);
            thrown.add(e);
            return e;
        });

        assertThatThrownBy(() -> operation.call.apply(retrying(FIVE_TRIES)))
                .isSameAs(thrown.get(4))
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(thrown.get(3)));

        assertThat(delegate.calls).isEqualTo(5);
        assertThat(sleeps).hasSize(4);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void permanentFailuresAreNotRetried(Operation operation) {
        List<Supplier<RuntimeException>> permanent = List.of(
                () -> new StorageNotFoundException("gone", null),
                () -> new StorageAccessException("denied", null),
                () -> new StorageAlreadyExistsException("taken", null),
                () -> new IllegalArgumentException("bad key"),
                () -> new IllegalStateException("closed"));
        for (Supplier<RuntimeException> failure : permanent) {
            RuntimeException expected = failure.get();
            delegate.calls = 0;
            delegate.failures(100, () -> expected);

            assertThatThrownBy(() -> operation.call.apply(retrying(FIVE_TRIES))).isSameAs(expected);

            assertThat(delegate.calls).as("calls for %s", expected).isEqualTo(1);
        }
        assertThat(sleeps).isEmpty();
    }

    @Test
    void commitIsNotRetried() {
        StorageWriter writer = retrying(FIVE_TRIES).openWrite("k", WriteOptions.ifAbsent());
        delegate.failures(100, () -> new StorageTransientException("lost reply", null));

        assertThatThrownBy(writer::commit).isInstanceOf(StorageTransientException.class).hasMessage("lost reply");

        assertThat(delegate.commits).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        RetryPolicy policy = new RetryPolicy(7, Duration.ofMillis(100), Duration.ofSeconds(1));
        delegate.failures(6, () -> new StorageTransientException("flaky", null));
        // the largest draw full jitter allows, so each wait equals its cap
        RandomGenerator largest = new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long nextLong(long bound) {
                return bound - 1;
            }
        };

        new RetryingStorage(delegate, policy, sleeps::add, () -> largest).stat("k");

        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(800), Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void waitsAreDrawnBetweenZeroAndTheCap() {
        RetryPolicy policy = new RetryPolicy(40, Duration.ofMillis(10), Duration.ofMillis(80));
        delegate.failures(39, () -> new StorageTransientException("flaky", null));

        retrying(policy).list("");

        assertThat(sleeps).hasSize(39);
        for (int i = 0; i < sleeps.size(); i++) {
            assertThat(sleeps.get(i)).as("wait %d, seed %d", i + 1, SEED)
                    .isBetween(Duration.ZERO, policy.delayCap(i + 1));
        }
        assertThat(sleeps).as("jittered, seed %d", SEED).doesNotHaveDuplicates();
    }

    @Test
    void zeroDelaysRetryWithoutSleeping() {
        delegate.failures(2, () -> new StorageTransientException("flaky", null));

        retrying(new RetryPolicy(3, Duration.ZERO, Duration.ZERO)).delete("k");

        assertThat(delegate.calls).isEqualTo(3);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void noneMeansOneAttempt() {
        delegate.failures(1, () -> new StorageTransientException("flaky", null));

        assertThatThrownBy(() -> retrying(RetryPolicy.NONE).stat("k")).isInstanceOf(StorageTransientException.class);

        assertThat(delegate.calls).isEqualTo(1);
    }

    @Test
    void interruptStopsRetrying() {
        StorageTransientException failure = new StorageTransientException("flaky", null);
        delegate.failures(100, () -> failure);
        RetryingStorage storage = new RetryingStorage(delegate, FIVE_TRIES, duration -> {
            throw new InterruptedException();
        }, () -> new Random(SEED));

        try {
            assertThatThrownBy(() -> storage.stat("k")).isSameAs(failure);
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(delegate.calls).isEqualTo(1);
    }

    @Test
    void delegatesTheRest() {
        RetryingStorage storage = retrying(FIVE_TRIES);

        assertThat(storage.url()).isEqualTo(delegate.url());
        assertThat(storage.features()).containsExactly(StorageFeature.RANGED_READ);
        storage.close();
        assertThat(delegate.closed).isTrue();
    }

    @Test
    void delayCapDoublesAndSaturates() {
        RetryPolicy policy = new RetryPolicy(100, Duration.ofMillis(200), Duration.ofSeconds(10));

        assertThat(policy.delayCap(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.delayCap(2)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.delayCap(6)).isEqualTo(Duration.ofMillis(6400));
        assertThat(policy.delayCap(7)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.delayCap(99)).isEqualTo(Duration.ofSeconds(10));
        assertThat(new RetryPolicy(3, Duration.ofSeconds(5), Duration.ofSeconds(1)).delayCap(1))
                .as("an initial delay above the maximum is capped").isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> policy.delayCap(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidPoliciesAreRejected() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofMillis(-1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private RetryingStorage retrying(RetryPolicy policy) {
        return new RetryingStorage(delegate, policy, sleeps::add, () -> new Random(SEED + sleeps.size()));
    }

    /** Fails the next {@code n} calls with the given exception, then answers with fixed values. */
    private static final class FlakyStorage implements Storage {
        private static final ObjectInfo INFO = new ObjectInfo("k", 5, Instant.EPOCH);
        private static final StorageUrl URL = new StorageUrl("fake", "bucket", "", "");
        private static final InputStream SAME_STREAM = new ByteArrayInputStream(new byte[] {1, 2});

        int calls;
        int commits;
        boolean closed;
        private int failuresLeft;
        private Supplier<RuntimeException> failure;
        private final StorageWriter writer = new StorageWriter() {
            @Override
            public void write(int b) {
            }

            @Override
            public ObjectInfo commit() {
                commits++;
                fail();
                return INFO;
            }

            @Override
            public void close() {
            }
        };

        void failures(int n, Supplier<RuntimeException> failure) {
            this.failuresLeft = n;
            this.failure = failure;
        }

        private void call() {
            calls++;
            fail();
        }

        private void fail() {
            if (failuresLeft > 0) {
                failuresLeft--;
                throw failure.get();
            }
        }

        @Override
        public StorageUrl url() {
            return URL;
        }

        @Override
        public Set<StorageFeature> features() {
            return Set.of(StorageFeature.RANGED_READ);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            call();
            return Optional.of(INFO);
        }

        @Override
        public InputStream openRead(String key, ReadRange range) {
            call();
            return SAME_STREAM;
        }

        @Override
        public StorageWriter openWrite(String key, WriteOptions options) {
            call();
            return writer;
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            call();
            return List.of(INFO);
        }

        @Override
        public void delete(String key) {
            call();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}

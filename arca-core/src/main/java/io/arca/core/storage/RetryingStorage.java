package io.arca.core.storage;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Retries {@link StorageTransientException}s of any store with backoff (see {@link RetryPolicy}).
 * Every other exception passes through on the first throw: the contract marks them permanent.
 *
 * <p>Retried: {@link #stat}, {@link #list} and {@link #delete} (idempotent by contract), and the
 * opening calls of {@link #openRead} and {@link #openWrite}, which have no effect a second call
 * could repeat. Not retried: reading from the returned stream, writing to the returned writer, and
 * {@link StorageWriter#commit()}. A commit is not idempotent in general: an if-absent commit whose
 * reply was lost would fail with {@link StorageAlreadyExistsException} on the retry although it
 * succeeded, and a streamed upload cannot be replayed once its bytes are gone. Callers retry a
 * failed write as a whole, from a source they can read again.
 *
 * <p>When interrupted while waiting, it stops and rethrows the last transient failure with the
 * thread's interrupt status set.
 */
public final class RetryingStorage implements Storage {

    /** Waits between attempts; replaced in tests so they do not sleep. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Storage delegate;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Supplier<RandomGenerator> random;

    public RetryingStorage(Storage delegate, RetryPolicy policy) {
        this(delegate, policy, duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000),
                ThreadLocalRandom::current);
    }

    RetryingStorage(Storage delegate, RetryPolicy policy, Sleeper sleeper, Supplier<RandomGenerator> random) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
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
        return retry(() -> delegate.stat(key));
    }

    @Override
    public InputStream openRead(String key, ReadRange range) {
        return retry(() -> delegate.openRead(key, range));
    }

    @Override
    public StorageWriter openWrite(String key, WriteOptions options) {
        return retry(() -> delegate.openWrite(key, options));
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        return retry(() -> delegate.list(prefix));
    }

    @Override
    public void delete(String key) {
        retry(() -> {
            delegate.delete(key);
            return null;
        });
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return delegate.capability(type);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private <T> T retry(Supplier<T> operation) {
        StorageTransientException previous = null;
        for (int attempt = 1; ; attempt++) {
            try {
                return operation.get();
            } catch (StorageTransientException e) {
                if (previous != null && previous != e) {
                    // the last failure is thrown; earlier ones ride along for --debug
                    e.addSuppressed(previous);
                }
                previous = e;
                if (attempt >= policy.maxAttempts()) {
                    throw e;
                }
                pause(attempt, e);
            }
        }
    }

    private void pause(int retry, StorageTransientException failure) {
        long capNanos = saturatedNanos(policy.delayCap(retry));
        if (capNanos <= 0) {
            return;
        }
        long nanos = capNanos == Long.MAX_VALUE ? random.get().nextLong(capNanos) : random.get().nextLong(capNanos + 1);
        try {
            sleeper.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure;
        }
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}

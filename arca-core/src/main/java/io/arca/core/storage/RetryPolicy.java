package io.arca.core.storage;

import java.time.Duration;

/**
 * How {@link RetryingStorage} retries transient failures: up to {@code maxAttempts} tries in all,
 * waiting {@code initialDelay}, doubling up to {@code maxDelay}, with full jitter.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
}

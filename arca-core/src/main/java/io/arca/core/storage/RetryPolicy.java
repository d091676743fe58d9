package io.arca.core.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link RetryingStorage} retries transient failures: up to {@code maxAttempts} tries in all,
 * waiting {@code initialDelay}, doubling up to {@code maxDelay}, with full jitter.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 1 || initialDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("invalid retry policy " + maxAttempts + " attempts, delays "
                    + initialDelay + " to " + maxDelay);
        }
    }

    /**
     * The longest wait before retry number {@code retry} (1 for the wait after the first failure):
     * {@code initialDelay * 2^(retry-1)}, capped at {@code maxDelay}. The actual wait is drawn
     * uniformly from zero to this (full jitter), so that many clients failing together do not
     * retry together.
     */
    public Duration delayCap(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
        }
        Duration cap = initialDelay;
        for (int i = 1; i < retry && cap.compareTo(maxDelay) < 0; i++) {
            cap = cap.multipliedBy(2);
        }
        return cap.compareTo(maxDelay) > 0 ? maxDelay : cap;
    }
}

package io.arca.app.notify;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Sends a notice through a channel, retrying what may pass with exponential backoff: up to
 * {@link Policy#maxAttempts()} attempts, waiting {@code initialDelay}, then twice as long each time,
 * never longer than {@code maxDelay} (a receiver's {@code Retry-After} is honoured up to that bound).
 * Never throws: the result says what happened.
 */
public final class Delivery {
    private final Policy policy;
    private final Sleeper sleeper;

    public Delivery(Policy policy, Sleeper sleeper) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * How often and how patiently to try.
     *
     * @param maxAttempts attempts in all, at least 1
     * @param initialDelay the wait after the first failure
     * @param maxDelay the longest wait between two attempts
     */
    public record Policy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
        /** 5 attempts over about 30 seconds (waits of 2, 4, 8 and 16 s). */
        public static final Policy DEFAULT = new Policy(5, Duration.ofSeconds(2), Duration.ofSeconds(30));

        public Policy {
            Objects.requireNonNull(initialDelay, "initialDelay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (maxAttempts < 1 || initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("invalid retry policy: " + maxAttempts + " attempts, waits "
                        + initialDelay + " to " + maxDelay);
            }
        }

        /** The wait after failed attempt {@code attempt} (1-based): {@code initialDelay * 2^(attempt-1)}, capped. */
        public Duration delay(int attempt) {
            Duration d = initialDelay;
            for (int i = 1; i < attempt && d.compareTo(maxDelay) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(maxDelay) > 0 ? maxDelay : d;
        }
    }

    /** Waits between attempts; tests replace it so that they do not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper REAL = d -> Thread.sleep(d.toMillis());

        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * What became of one notice on one channel.
     *
     * @param sent whether it was delivered
     * @param attempts how many attempts were made
     * @param error why it was not, or null
     */
    public record Result(boolean sent, int attempts, String error) {
    }

    /** Sends {@code notice} through {@code channel}, retrying as the policy says. */
    public Result deliver(Channel channel, Notice notice) {
        String deliveryId = UUID.randomUUID().toString();
        for (int attempt = 1;; attempt++) {
            DeliveryException failure;
            try {
                channel.send(notice, deliveryId);
                return new Result(true, attempt, null);
            } catch (DeliveryException e) {
                failure = e;
            } catch (RuntimeException e) {
                // a bug in a channel; its message could hold anything, so only its type is told
                return new Result(false, attempt, "internal error in the channel: " + e.getClass().getName());
            }
            if (!failure.retryable() || attempt >= policy.maxAttempts()) {
                return new Result(false, attempt, failure.getMessage());
            }
            Duration wait = policy.delay(attempt);
            Duration asked = failure.retryAfter();
            if (asked != null && asked.compareTo(wait) > 0) {
                wait = asked.compareTo(policy.maxDelay()) > 0 ? policy.maxDelay() : asked;
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(false, attempt, failure.getMessage() + " (stopped while waiting to retry)");
            }
        }
    }
}

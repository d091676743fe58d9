package io.arca.app.notify;

import java.time.Duration;

/**
 * A notice was not delivered. {@link #retryable()} says whether a later attempt may succeed (a
 * 5xx, 429, a timeout, a refused connection) or not (another 4xx, a refused login, a bad
 * certificate). The message is one lowercase line without any secret.
 */
public final class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final transient Duration retryAfter;

    private DeliveryException(String message, boolean retryable, Duration retryAfter) {
        super(message);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** Trying again may help. */
    public static DeliveryException retryable(String message) {
        return new DeliveryException(message, true, null);
    }

    /** Trying again may help, not before {@code retryAfter} (a receiver's {@code Retry-After}; null: no wish). */
    public static DeliveryException retryable(String message, Duration retryAfter) {
        return new DeliveryException(message, true, retryAfter);
    }

    /** Trying again will not help. */
    public static DeliveryException permanent(String message) {
        return new DeliveryException(message, false, null);
    }

    public boolean retryable() {
        return retryable;
    }

    /** How long the receiver asked to wait, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}

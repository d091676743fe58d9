package io.arca.app.notify;

/**
 * One place notices go: a webhook, a Slack incoming webhook, an email address list. A channel
 * sends once per call; {@link Delivery} retries. Thread-safe: a notifier may send several notices
 * through one channel at once.
 */
public interface Channel {
    /**
     * The channel in log lines: its kind, its place in {@code arca.yaml} and where it sends
     * ({@code webhook notifications[0] (https://hooks.example.com)}), never a secret: no URL path
     * or query, no password.
     */
    String describe();

    /**
     * Sends {@code notice} once. {@code deliveryId} is the same for every attempt of one notice,
     * so that a receiver can drop a duplicate.
     *
     * @throws DeliveryException when it was not delivered; says whether trying again may help, and
     *     its message holds no secret
     */
    void send(Notice notice, String deliveryId) throws DeliveryException;
}

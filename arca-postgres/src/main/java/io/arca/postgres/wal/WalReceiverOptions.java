package io.arca.postgres.wal;

import io.arca.core.error.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * How a {@link WalReceiver} streams.
 *
 * @param slotName the physical replication slot to stream through, which keeps the server from
 *     removing WAL the archive does not have yet; {@code null}: none (the server may then remove WAL
 *     before it is streamed, when the receiver falls behind or is down)
 * @param temporarySlot create the slot as a temporary one, dropped by the server when the
 *     receiver's connection ends (for the WAL of one base backup)
 * @param createSlot create the (permanent) slot when it does not exist; when false, a missing slot
 *     is an error
 * @param spoolDirectory where the segment being received is written before it is archived;
 *     {@code null}: a new temporary directory, removed on {@link WalReceiver#close()}. Holds at
 *     most a few segments (the one being received and those waiting to be archived)
 * @param statusInterval how often the receiver reports its position to the server at least;
 *     {@code null}: 10 seconds
 * @param maxReconnectDelay the longest wait between reconnection (and archiving) attempts, which
 *     start at 1 second and double; {@code null}: 30 seconds
 * @param log receives one line per event worth telling the user (reconnects, timeline switches,
 *     retries); {@code null}: none
 */
public record WalReceiverOptions(String slotName, boolean temporarySlot, boolean createSlot, Path spoolDirectory,
                                 Duration statusInterval, Duration maxReconnectDelay, Consumer<String> log) {
    /** What PostgreSQL accepts as a slot name. */
    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
    public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(30);

    public WalReceiverOptions {
        if (slotName != null && !SLOT_NAME.matcher(slotName).matches()) {
            throw new UsageException("invalid replication slot name '" + slotName
                    + "': use 1 to 63 lowercase letters, digits and underscores");
        }
        if (slotName == null && temporarySlot) {
            throw new UsageException("a temporary slot needs a name");
        }
        statusInterval = statusInterval == null ? DEFAULT_STATUS_INTERVAL : statusInterval;
        maxReconnectDelay = maxReconnectDelay == null ? DEFAULT_MAX_RECONNECT_DELAY : maxReconnectDelay;
        if (statusInterval.toMillis() < 1 || statusInterval.toMillis() > Integer.MAX_VALUE) {
            throw new UsageException("invalid status interval " + statusInterval);
        }
        if (maxReconnectDelay.toMillis() < 1) {
            throw new UsageException("invalid reconnect delay " + maxReconnectDelay);
        }
        log = log == null ? line -> { } : log;
    }

    /** No slot, a temporary spool directory, the default intervals, no log. */
    public static WalReceiverOptions defaults() {
        return new WalReceiverOptions(null, false, false, null, null, null, null);
    }

    /** These options with a permanent slot, created when missing. */
    public WalReceiverOptions withSlot(String name) {
        return new WalReceiverOptions(name, false, true, spoolDirectory, statusInterval, maxReconnectDelay, log);
    }

    /** These options with a temporary slot (dropped when the receiver's connection ends). */
    public WalReceiverOptions withTemporarySlot(String name) {
        return new WalReceiverOptions(name, true, true, spoolDirectory, statusInterval, maxReconnectDelay, log);
    }

    public WalReceiverOptions withSpoolDirectory(Path dir) {
        return new WalReceiverOptions(slotName, temporarySlot, createSlot, dir, statusInterval, maxReconnectDelay, log);
    }

    public WalReceiverOptions withStatusInterval(Duration interval) {
        return new WalReceiverOptions(slotName, temporarySlot, createSlot, spoolDirectory, interval, maxReconnectDelay, log);
    }

    public WalReceiverOptions withMaxReconnectDelay(Duration delay) {
        return new WalReceiverOptions(slotName, temporarySlot, createSlot, spoolDirectory, statusInterval, delay, log);
    }

    public WalReceiverOptions withLog(Consumer<String> newLog) {
        return new WalReceiverOptions(slotName, temporarySlot, createSlot, spoolDirectory, statusInterval,
                maxReconnectDelay, newLog);
    }
}

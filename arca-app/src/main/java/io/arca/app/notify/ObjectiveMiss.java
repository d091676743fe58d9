package io.arca.app.notify;

import java.util.Objects;

/**
 * One objective a subject misses, as a status check found it.
 *
 * @param objective which objective ({@code rpo}, {@code rto}, {@code drill-within}, ...): what a
 *     {@link Notifier} compares from one check to the next, so it must not change while the miss lasts
 * @param message what is wrong, for people ({@code newest backup is 40h old, rpo is 36h}); may differ at each check
 */
public record ObjectiveMiss(String objective, String message) {
    public ObjectiveMiss {
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(message, "message");
    }
}

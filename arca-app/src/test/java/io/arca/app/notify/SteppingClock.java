package io.arca.app.notify;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that moves one second at each reading, so that runs are ordered however fast they are. */
final class SteppingClock extends Clock {
    private final AtomicReference<Instant> now;

    SteppingClock(Instant start) {
        now = new AtomicReference<>(start);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now.updateAndGet(t -> t.plusSeconds(1));
    }
}

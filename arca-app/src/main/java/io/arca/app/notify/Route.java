package io.arca.app.notify;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A channel and the kinds of notice it takes (its {@code on} list in {@code arca.yaml}).
 *
 * @param channel where notices go
 * @param on which categories it takes
 */
public record Route(Channel channel, Set<Notice.Category> on) {
    public Route {
        Objects.requireNonNull(channel, "channel");
        on = on == null || on.isEmpty() ? EnumSet.allOf(Notice.Category.class) : EnumSet.copyOf(on);
    }

    /** A channel that takes every kind of notice. */
    public static Route all(Channel channel) {
        return new Route(channel, Set.of());
    }

    public boolean takes(Notice notice) {
        return on.contains(notice.event().category());
    }
}

package io.arca.core;

/**
 * Receives progress of long work. Core and engine code report through it and never print; the
 * command line renders it on a terminal. Implementations must be thread-safe and cheap: they may
 * be called from streaming loops for every buffer, and throttle their own output.
 */
public interface Progress {
    /** Discards everything. */
    Progress NONE = new Progress() {
        @Override
        public void bytes(String phase, long done, long total) {
        }

        @Override
        public void note(String message) {
        }
    };

    /**
     * {@code done} bytes of {@code phase} handled so far, out of {@code total} ({@code -1} when not
     * known in advance).
     */
    void bytes(String phase, long done, long total);

    /** A step worth telling the user about, as one lowercase line. */
    void note(String message);
}

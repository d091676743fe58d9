package io.arca.cli;

import io.arca.core.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Renders progress on stderr: a self-overwriting line with bytes and rate when stderr is a
 * terminal, nothing otherwise (cron logs stay clean). Notes are printed as lines on a terminal or
 * with {@code --verbose}.
 */
final class ConsoleProgress implements Progress {
    private final PrintWriter err;
    private final boolean terminal;
    private final boolean verbose;
    private static final long REDRAW_NANOS = 200_000_000L;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean lineOpen;

    ConsoleProgress(PrintWriter err, boolean verbose) {
        this.err = err;
        this.terminal = System.console() != null;
        this.verbose = verbose;
    }

    @Override
    public synchronized void bytes(String phase, long done, long total) {
        long now = System.nanoTime();
        if (!terminal || (now - lastDraw < REDRAW_NANOS && done != total)) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        String rate = Text.bytes((long) (done / seconds)) + "/s";
        String of = total > 0 ? " of " + Text.bytes(total) + String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total) : "";
        err.print("\r" + phase + ": " + Text.bytes(done) + of + ", " + rate + "        ");
        err.flush();
        lineOpen = true;
    }

    @Override
    public synchronized void note(String message) {
        if (!terminal && !verbose) {
            return;
        }
        if (lineOpen) {
            err.println();
            lineOpen = false;
        }
        err.println(message);
        err.flush();
    }

    /** Ends an open progress line. */
    synchronized void done() {
        if (lineOpen) {
            err.println();
            err.flush();
            lineOpen = false;
        }
    }
}

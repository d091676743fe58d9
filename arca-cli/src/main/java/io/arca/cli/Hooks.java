package io.arca.cli;

import io.arca.core.Progress;
import io.arca.core.source.Hook;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** Runs work between hooks (see {@link Hook}): befores in order, afters in reverse, always. */
final class Hooks {
    private Hooks() {
    }

    /** Work that may fail with an I/O error. */
    interface Work {
        void run() throws java.io.IOException;
    }

    static void around(List<Hook> hooks, Progress progress, Work work) {
        Deque<Hook> started = new ArrayDeque<>();
        RuntimeException failure = null;
        try {
            for (Hook h : hooks) {
                progress.note(h.describe());
                h.before(progress);
                started.push(h);
            }
            work.run();
        } catch (RuntimeException e) {
            failure = e;
        } catch (java.io.IOException e) {
            failure = new java.io.UncheckedIOException(e);
        } catch (Exception e) {
            failure = new RuntimeException(e);
        }
        while (!started.isEmpty()) {
            Hook h = started.pop();
            try {
                h.after(failure == null, progress);
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException r ? r : new RuntimeException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}

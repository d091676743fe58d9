package io.arca.core.hook;

import io.arca.core.Progress;
import java.util.ArrayList;
import java.util.List;

/** Keeps every note, in order; thread-safe (hook output arrives on another thread). */
final class RecordingProgress implements Progress {
    private final List<String> notes = new ArrayList<>();

    @Override
    public void bytes(String phase, long done, long total) {
    }

    @Override
    public synchronized void note(String message) {
        notes.add(message);
    }

    synchronized List<String> notes() {
        return List.copyOf(notes);
    }
}

package io.arca.core.source;

/**
 * Work around a restore or a backup: scale an application down and up again, stop and start a
 * Compose service, wait for a health check. {@link #before} runs before the restore (or backup),
 * in the order hooks were given; {@link #after} runs for every hook whose {@code before} returned,
 * in reverse order, whether the restore succeeded or not (an application scaled down is scaled back
 * up even when the restore failed).
 */
public interface Hook {
    /** What the hook does, for progress lines and errors: {@code scale deployment/web to 0}. */
    String describe();

    /** Runs before the work; a failure stops the command before anything changes. */
    void before(io.arca.core.Progress progress) throws Exception;

    /**
     * Runs after the work.
     *
     * @param succeeded whether nothing failed before this call: the work, every later hook's
     *     {@code before}, and the later hooks' {@code after}s, which ran first (see {@link
     *     io.arca.core.hook.Hooks})
     */
    void after(boolean succeeded, io.arca.core.Progress progress) throws Exception;
}

package io.arca.core.hook;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.source.Hook;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Runs {@link Hook}s around a piece of work (a restore, a backup): every hook's {@link
 * Hook#before} in list order, then the work, then {@link Hook#after} in reverse order for every hook
 * whose {@code before} returned, always: also when the work or a later hook's {@code before}
 * failed (an application that was stopped is started again after a failed restore).
 *
 * <p>Failures: the first one wins and is thrown once every {@code after} ran; later ones are added
 * to it as {@linkplain Throwable#addSuppressed suppressed} and shown as a note, so that the user
 * sees that a post-hook failed too. A hook's {@code after} is told {@code succeeded = true} only when
 * nothing failed before it: not the work, not a {@code before}, not an {@code after} that ran
 * earlier (a health check does not wait for an application whose start command failed). A
 * hook's exception other than an {@link ArcaException} is reported as {@link
 * ErrorCode#HOOK_FAILED} naming the hook; the work's own exceptions are thrown unchanged.
 *
 * <p>Interrupts (a signal): the {@code after}s still run, each with the thread's interrupt status
 * cleared (a hook waiting on a process or a socket would otherwise give up at once and leave the
 * application stopped); the status is set again before this returns or throws. Each hook's own
 * timeout bounds the wait.
 */
public final class Hooks {
    /** No hooks: {@link #run} just does the work. */
    public static final Hooks NONE = new Hooks(List.of());

    private final List<Hook> hooks;

    private Hooks(List<Hook> hooks) {
        this.hooks = List.copyOf(hooks);
    }

    /** These hooks, {@code before} in this order and {@code after} in reverse. */
    public static Hooks of(List<? extends Hook> hooks) {
        return new Hooks(List.copyOf(hooks));
    }

    /**
     * The hooks of a command line, in the order runbooks need:
     * <ol>
     *   <li>the {@code --pre-hook} commands, in the order given ({@code docker compose stop backend});
     *   <li>the sources' hooks ({@code sourceHooks}: scale a deployment to 0), before in order;
     *   <li>the work;
     *   <li>the sources' hooks' {@code after}, in reverse (scale back up);
     *   <li>the {@code --post-hook} commands, in the order given, also when the work failed
     *       ({@code docker compose start backend}, with {@code ARCA_RESULT=failure});
     *   <li>the {@code --health-url} checks, in the order given, when everything so far succeeded.
     * </ol>
     */
    public static Hooks of(HookOptions options, List<? extends Hook> sourceHooks) {
        List<Hook> ordered = new ArrayList<>();
        // afters run in reverse list order: what must run last comes first
        for (int i = options.healthUrls().size() - 1; i >= 0; i--) {
            ordered.add(new HealthCheck(options.healthUrls().get(i), options.healthTimeout()));
        }
        for (int i = options.postHooks().size() - 1; i >= 0; i--) {
            ordered.add(new CommandHook(CommandHook.When.POST, options.postHooks().get(i), options.hookTimeout(),
                    options.environment()));
        }
        for (String command : options.preHooks()) {
            ordered.add(new CommandHook(CommandHook.When.PRE, command, options.hookTimeout(), options.environment()));
        }
        ordered.addAll(sourceHooks);
        return new Hooks(ordered);
    }

    /** The hooks in list order ({@code before} order). */
    public List<Hook> hooks() {
        return hooks;
    }

    public boolean isEmpty() {
        return hooks.isEmpty();
    }

    /** The work hooks run around. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs the hooks around {@code work} (see the class comment).
     *
     * @return what the work returned
     * @throws E the work's failure, when it failed first
     * @throws ArcaException a hook's failure, when one failed first
     */
    public <T, E extends Exception> T run(Work<T, E> work, Progress progress) throws E {
        Objects.requireNonNull(work, "work");
        Deque<Hook> entered = new ArrayDeque<>();
        Throwable failure = null;
        T result = null;
        for (Hook hook : hooks) {
            try {
                hook.before(progress);
                entered.push(hook);
            } catch (Throwable e) {
                failure = asFailure(hook, e);
                break;
            }
        }
        if (failure == null) {
            try {
                result = work.run();
            } catch (Throwable e) {
                failure = e;
            }
        }
        boolean interrupted = false;
        while (!entered.isEmpty()) {
            Hook hook = entered.pop();
            interrupted |= Thread.interrupted();
            try {
                hook.after(failure == null, progress);
            } catch (Throwable e) {
                Throwable f = asFailure(hook, e);
                if (failure == null) {
                    failure = f;
                } else {
                    failure.addSuppressed(f);
                    progress.note(hook.describe() + " failed too: " + f.getMessage());
                }
            }
        }
        if (interrupted || Thread.interrupted()) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw Hooks.<E>sneaky(failure);
        }
        return result;
    }

    /** A hook's failure as the command reports it: an {@link ArcaException} naming the hook. */
    private static Throwable asFailure(Hook hook, Throwable e) {
        if (e instanceof ArcaException || e instanceof Error) {
            return e;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new ArcaException(ErrorCode.INTERRUPTED, hook.describe() + " was interrupted", null, e);
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ArcaException(ErrorCode.HOOK_FAILED, hook.describe() + " failed: " + message, null, e);
    }

    /**
     * Throws {@code failure} as it is. It is the work's {@code E}, an unchecked exception, or an
     * error: the hooks' checked exceptions were turned into {@link ArcaException}s above.
     */
    @SuppressWarnings("unchecked")
    private static <E extends Exception> E sneaky(Throwable failure) throws E {
        throw (E) failure;
    }
}

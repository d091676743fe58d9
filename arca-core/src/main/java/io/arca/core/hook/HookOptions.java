package io.arca.core.hook;

import io.arca.core.error.UsageException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The hooks a user asked for on {@code arca backup} or {@code arca restore}.
 *
 * @param preHooks {@code --pre-hook} commands, in the order given
 * @param postHooks {@code --post-hook} commands, in the order given (they run in that order)
 * @param healthUrls {@code --health-url} URLs, checked in the order given after the post-hooks
 * @param hookTimeout how long each command may run ({@link CommandHook#DEFAULT_TIMEOUT} when null)
 * @param healthTimeout how long each URL is polled ({@link HealthCheck#DEFAULT_TIMEOUT} when null)
 * @param environment variables added for the commands ({@code ARCA_COMMAND=restore}); may be empty
 */
public record HookOptions(List<String> preHooks, List<String> postHooks, List<String> healthUrls,
        Duration hookTimeout, Duration healthTimeout, Map<String, String> environment) {
    /** No hooks. */
    public static final HookOptions NONE = new HookOptions(List.of(), List.of(), List.of(), null, null, Map.of());

    public HookOptions {
        preHooks = preHooks == null ? List.of() : List.copyOf(preHooks);
        postHooks = postHooks == null ? List.of() : List.copyOf(postHooks);
        healthUrls = healthUrls == null ? List.of() : List.copyOf(healthUrls);
        hookTimeout = hookTimeout == null ? CommandHook.DEFAULT_TIMEOUT : hookTimeout;
        healthTimeout = healthTimeout == null ? HealthCheck.DEFAULT_TIMEOUT : healthTimeout;
        environment = environment == null ? Map.of() : Map.copyOf(environment);
        if (hookTimeout.isZero() || hookTimeout.isNegative()) {
            throw new UsageException("the hook timeout must be positive, not " + Durations.describe(hookTimeout));
        }
        if (healthTimeout.isZero() || healthTimeout.isNegative()) {
            throw new UsageException("--health-timeout must be positive, not " + Durations.describe(healthTimeout));
        }
    }

    /** These commands and URLs with the default timeouts. */
    public static HookOptions of(List<String> preHooks, List<String> postHooks, List<String> healthUrls) {
        return new HookOptions(preHooks, postHooks, healthUrls, null, null, Map.of());
    }

    /** Whether no hook was asked for. */
    public boolean none() {
        return preHooks.isEmpty() && postHooks.isEmpty() && healthUrls.isEmpty();
    }
}

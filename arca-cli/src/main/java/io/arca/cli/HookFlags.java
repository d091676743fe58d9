package io.arca.cli;

import io.arca.core.error.UsageException;
import io.arca.core.hook.HookOptions;
import io.arca.core.hook.Hooks;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.source.Hook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --pre-hook}, {@code --post-hook} and {@code --health-url} of backup and restore (see docs/hooks.md). */
final class HookFlags {
    @Option(names = "--pre-hook", paramLabel = "CMD", description = "A shell command run before the work (sh -c;"
            + " repeatable, in the order given); a non-zero exit stops the command before anything changes.")
    List<String> preHooks = new ArrayList<>();

    @Option(names = "--post-hook", paramLabel = "CMD", description = "A shell command run after the work, also when it"
            + " failed (ARCA_RESULT=success|failure; repeatable, in the order given); a non-zero exit fails the command.")
    List<String> postHooks = new ArrayList<>();

    @Option(names = "--health-url", paramLabel = "URL", description = "After successful work and post-hooks, wait until"
            + " a GET of URL answers 2xx (repeatable); the command fails when it does not within --health-timeout.")
    List<String> healthUrls = new ArrayList<>();

    @Option(names = "--health-timeout", paramLabel = "DURATION", description = "How long to wait for each --health-url"
            + " (default 5m).")
    String healthTimeout;

    @Option(names = "--hook-timeout", paramLabel = "DURATION", description = "How long each --pre-hook or --post-hook"
            + " may run before it is stopped and fails the command (default 10m).")
    String hookTimeout;

    /** The hooks around {@code command}'s work: these flags' and the sources' ({@code sourceHooks}), in runbook order. */
    Hooks hooks(String command, List<? extends Hook> sourceHooks) {
        return Hooks.of(options(command), sourceHooks);
    }

    /** These flags as options of the hooks around {@code command}'s work. */
    HookOptions options(String command) {
        return new HookOptions(preHooks, postHooks, healthUrls, duration("--hook-timeout", hookTimeout),
                duration("--health-timeout", healthTimeout), Map.of("ARCA_COMMAND", command));
    }

    private static Duration duration(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return DurationText.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid " + option + " '" + value + "': " + e.getMessage(), e);
        }
    }
}

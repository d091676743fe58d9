package io.arca.core.source;

import io.arca.core.error.UsageException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The values the user gave for a source's {@link SourceOption}s, and the environment (for secrets,
 * which never come from flags: {@code ARCA_QDRANT_API_KEY}).
 *
 * @param values each given option's values, by name with dashes; a flag that was given maps to an
 *     empty list
 * @param environment the process environment
 */
public record SourceOptions(Map<String, List<String>> values, Map<String, String> environment) {
    /** No option given, no environment. */
    public static final SourceOptions NONE = new SourceOptions(Map.of(), Map.of());

    public SourceOptions {
        values = Map.copyOf(values);
        environment = environment == null ? Map.of() : Map.copyOf(environment);
    }

    /** Whether the option (or flag) was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The option's single value, if given. */
    public Optional<String> value(String name) {
        List<String> v = values.get(name);
        if (v == null || v.isEmpty()) {
            return Optional.empty();
        }
        if (v.size() > 1) {
            throw new UsageException(name + " was given " + v.size() + " times; give it once");
        }
        return Optional.of(v.get(0));
    }

    /** Every value given for the option, each also split at commas ({@code --k8s-kinds configmap,secret}). */
    public List<String> list(String name) {
        return values.getOrDefault(name, List.of()).stream().flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Every value given for a repeatable option, as given. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** An environment variable, if set and not blank. */
    public Optional<String> env(String name) {
        String v = environment.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }
}

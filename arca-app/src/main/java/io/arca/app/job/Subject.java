package io.arca.app.job;

import io.arca.app.config.ArcaConfig;
import java.util.Map;
import java.util.Objects;

/**
 * A subject of the configuration, with what a job needs to run for it.
 *
 * @param name the subject's name (the {@code subject} of its run records and metrics)
 * @param entry its entry in {@code arca.yaml}
 * @param config the whole configuration (its repositories, notifications, ...)
 * @param environment the environment secrets are read from ({@code System.getenv()} but in tests)
 */
public record Subject(String name, ArcaConfig.SubjectEntry entry, ArcaConfig config, Map<String, String> environment) {
    public Subject {
        Objects.requireNonNull(name);
        Objects.requireNonNull(entry);
        Objects.requireNonNull(config);
        environment = Map.copyOf(environment);
    }
}

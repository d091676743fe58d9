package io.arca.app.config;

import io.arca.core.error.UsageException;
import java.util.List;

/**
 * A configuration that cannot be used. Its message is a first line naming the file and the
 * number of errors, then every error on a line of its own ({@link ConfigError#toString()}), so
 * that one run shows all of them; front ends report it as a usage error (exit 2).
 */
public final class ConfigException extends UsageException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    public ConfigException(String file, List<ConfigError> errors) {
        super(message(file, errors), "fix the lines above; 'arca config check " + file + "' checks the file again",
                null);
        this.errors = List.copyOf(errors);
    }

    /** A problem in how the configuration was chosen (no such subject, ...), not in the file's lines. */
    public ConfigException(String message, String hint) {
        super(message, hint, null);
        this.errors = List.of();
    }

    /** Every error, in file order; empty for a problem that is not in the file's lines. */
    public List<ConfigError> errors() {
        return errors == null ? List.of() : errors;
    }

    private static String message(String file, List<ConfigError> errors) {
        StringBuilder s = new StringBuilder("invalid configuration '").append(file).append("': ")
                .append(errors.size()).append(errors.size() == 1 ? " error" : " errors");
        for (ConfigError e : errors) {
            s.append('\n').append(e);
        }
        return s.toString();
    }
}

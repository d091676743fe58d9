package io.arca.core.source;

/**
 * A command-line option a source adds to {@code arca backup}, {@code arca restore} or
 * {@code arca drill}. The command line builds its flags from these, so a source never depends on
 * the command-line library.
 *
 * @param name the long option, with its dashes: {@code --k8s-namespace}
 * @param paramLabel the value's label ({@code NS}); null for a flag without a value
 * @param description one or two sentences for {@code --help}
 * @param repeatable whether the option may be given more than once
 */
public record SourceOption(String name, String paramLabel, String description, boolean repeatable) {
    public SourceOption {
        if (!name.startsWith("--")) {
            throw new IllegalArgumentException("option names start with --: " + name);
        }
    }

    /** An option that takes one value. */
    public static SourceOption value(String name, String paramLabel, String description) {
        return new SourceOption(name, paramLabel, description, false);
    }

    /** An option that takes a value and may be repeated. */
    public static SourceOption values(String name, String paramLabel, String description) {
        return new SourceOption(name, paramLabel, description, true);
    }

    /** A flag. */
    public static SourceOption flag(String name, String description) {
        return new SourceOption(name, null, description, false);
    }

    public boolean isFlag() {
        return paramLabel == null;
    }
}

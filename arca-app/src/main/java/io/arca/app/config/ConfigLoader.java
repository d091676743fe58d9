package io.arca.app.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.source.BackupSource;
import io.arca.core.source.BackupSources;
import io.arca.core.source.SourceOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads {@code arca.yaml}: YAML, then the JSON Schema ({@link #SCHEMA_RESOURCE}, published as
 * {@code docs/arca.schema.json}), then what a schema cannot say (a subject's repositories exist,
 * durations, cron expressions and time zones, database URLs without passwords, what each
 * notification type needs, the listen address, source options). Every problem is reported at
 * once, each with its file position and property path, in one {@link ConfigException}.
 *
 * <p>Settings are taken from, in order of precedence: flags ({@link Override}s the caller passes),
 * the {@code ARCA_*} environment variables of {@link #ENVIRONMENT}, the file. Secrets never come
 * from the file itself, only through its {@code ...Env} and {@code ...File} fields.
 *
 * <p>Thread-safe; the schema is read once per JVM.
 */
public final class ConfigLoader {
    /** The schema's class path resource: the one source of {@code docs/arca.schema.json}. */
    public static final String SCHEMA_RESOURCE = "/io/arca/app/config/arca.schema.json";

    /** The environment variable naming the configuration file. */
    public static final String CONFIG_ENV = "ARCA_CONFIG";

    /** The file read when neither a path nor {@link #CONFIG_ENV} is given. */
    public static final Path DEFAULT_FILE = Path.of("arca.yaml");

    /**
     * The environment variables that override a setting of the file, and the setting (a property
     * path). A flag that sets the same setting overrides the variable.
     */
    public static final Map<String, String> ENVIRONMENT = orderedMap(
            "ARCA_LISTEN", "server.listen",
            "ARCA_CONCURRENCY", "server.concurrency");

    /**
     * A setting given outside the file, which wins over the file.
     *
     * @param path the property path ({@code server.listen})
     * @param value its value as text (numbers and {@code true}/{@code false} are read as such)
     * @param source what gave it, for error messages: {@code flag --listen}, {@code env ARCA_LISTEN}
     */
    public record Override(String path, String value, String source) {
        public Override {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(source, "source");
        }
    }

    private static final ObjectMapper BINDER = YamlDocument.MAPPER.copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Map<String, String> environment;
    private final List<SourceOption> sourceOptions;

    /**
     * A loader that reads overrides from {@code environment} and knows the source options
     * {@code sourceOptions} (the backup options of the {@link BackupSource}s).
     */
    public ConfigLoader(Map<String, String> environment, List<SourceOption> sourceOptions) {
        this.environment = Map.copyOf(environment);
        this.sourceOptions = List.copyOf(sourceOptions);
    }

    /** A loader for {@code environment} with the backup options of the sources on the class path. */
    public static ConfigLoader of(Map<String, String> environment) {
        List<SourceOption> options = new ArrayList<>();
        for (BackupSource source : BackupSources.load().all()) {
            options.addAll(source.backupOptions());
        }
        return new ConfigLoader(environment, options);
    }

    /** The configuration file: {@code given}, else {@code ARCA_CONFIG}, else {@code ./arca.yaml}. */
    public static Path file(Path given, Map<String, String> environment) {
        if (given != null) {
            return given;
        }
        String env = environment.get(CONFIG_ENV);
        return env != null && !env.isBlank() ? Path.of(env) : DEFAULT_FILE;
    }

    /** Reads and checks {@code file} with the environment's overrides. */
    public ArcaConfig load(Path file) {
        return load(file, List.of());
    }

    /**
     * Reads and checks {@code file}; {@code flags} override the environment, which overrides the file.
     *
     * @throws ConfigException listing every problem, or when the file does not exist
     * @throws ArcaException {@link ErrorCode#LOCAL_IO} when the file exists but cannot be read
     */
    public ArcaConfig load(Path file, List<Override> flags) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file '" + file + "' not found",
                    "pass its path (--config FILE) or set " + CONFIG_ENV);
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.LOCAL_IO, "cannot read configuration file '" + file + "': " + e.getMessage(),
                    "check the path and its permissions", e);
        }
        return load(text, file.toString(), flags);
    }

    /**
     * Reads and checks a configuration from {@code text}, naming it {@code name} in errors.
     *
     * @throws ConfigException listing every problem
     */
    public ArcaConfig load(String text, String name, List<Override> flags) {
        Checked checked = check(text, name, flags);
        if (!checked.errors().isEmpty()) {
            throw new ConfigException(name, checked.errors());
        }
        try {
            return BINDER.treeToValue(checked.tree(), ArcaConfig.class);
        } catch (IOException e) {
            // the schema admits only what the records read
            throw new IllegalStateException("arca.yaml passed its schema but does not bind: " + e.getMessage(), e);
        }
    }

    /** A checked document: the tree with overrides applied, and every error found. */
    record Checked(JsonNode tree, List<ConfigError> errors) {
    }

    Checked check(String text, String name, List<Override> flags) {
        YamlDocument doc;
        try {
            doc = YamlDocument.read(text);
        } catch (YamlDocument.SyntaxError e) {
            return new Checked(null, List.of(new ConfigError(name, e.line, e.column, "", e.getMessage())));
        }
        Errors errors = new Errors(name, doc);
        JsonNode root = doc.root();
        errors.root = root;
        if (root == null) {
            errors.add("", "the file is empty: it needs repositories and subjects (see docs/configuration.md)");
            return new Checked(null, errors.sorted());
        }
        if (root.isObject()) {
            root = root.deepCopy();
            List<Override> overrides = new ArrayList<>();
            ENVIRONMENT.forEach((env, path) -> {
                String value = environment.get(env);
                if (value != null && !value.isBlank()) {
                    overrides.add(new Override(path, value.trim(), "env " + env));
                }
            });
            overrides.addAll(flags);
            for (Override o : overrides) {
                apply((ObjectNode) root, o, errors);
            }
            errors.root = root;
        }
        SchemaCheck.validate(root, errors);
        new ConfigChecks(root, errors, sourceOptions).run();
        return new Checked(root, errors.sorted());
    }

    /** The schema as published, for tests and {@code arca config schema}-like uses. */
    public static String schemaText() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + SCHEMA_RESOURCE + " missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void apply(ObjectNode root, Override o, Errors errors) {
        String[] names = o.path().split("\\.");
        ObjectNode node = root;
        StringBuilder pointer = new StringBuilder();
        for (int i = 0; i < names.length - 1; i++) {
            pointer.append('/').append(names[i]);
            JsonNode child = node.get(names[i]);
            if (child == null || child.isNull()) {
                child = node.putObject(names[i]);
            }
            if (!child.isObject()) {
                // the file's own value is wrong; the schema reports it there
                return;
            }
            node = (ObjectNode) child;
        }
        String last = names[names.length - 1];
        pointer.append('/').append(last);
        node.set(last, scalar(o.value()));
        errors.override(pointer.toString(), o.source());
    }

    private static JsonNode scalar(String value) {
        if (value.matches("-?[0-9]{1,9}")) {
            return JsonNodeFactory.instance.numberNode(Integer.parseInt(value));
        }
        if (value.equals("true") || value.equals("false")) {
            return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(value));
        }
        return JsonNodeFactory.instance.textNode(value);
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The errors of one document, placed by JSON pointer. */
    static final class Errors {
        private final String name;
        private final YamlDocument doc;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final List<ConfigError> errors = new ArrayList<>();
        private final List<String> pointers = new ArrayList<>();
        JsonNode root;

        Errors(String name, YamlDocument doc) {
            this.name = name;
            this.doc = doc;
        }

        void override(String pointer, String source) {
            overrides.put(pointer, source);
        }

        /** An error about the value at {@code pointer}. */
        void add(String pointer, String message) {
            add(pointer, pointer, message, false);
        }

        /** An error about the key of {@code pointer} (a member that should not be there). */
        void addAtKey(String pointer, String message) {
            add(pointer, pointer, message, true);
        }

        /**
         * An error shown with the path {@code shown} but placed at {@code placed} (a missing
         * member is shown by its own path and placed at its parent).
         */
        void add(String shown, String placed, String message, boolean atKey) {
            pointers.add(shown);
            String source = overrides.get(placed);
            if (source != null) {
                errors.add(new ConfigError(source, 0, 0, display(shown), message));
                return;
            }
            YamlDocument.Position at = atKey || !isScalar(placed) ? doc.keyPosition(placed) : doc.valuePosition(placed);
            errors.add(new ConfigError(name, at.line(), at.column(), display(shown), message));
        }

        /** Whether an error was reported at {@code pointer} or inside it (semantic checks skip those). */
        boolean has(String pointer) {
            for (String p : pointers) {
                if (p.equals(pointer) || p.startsWith(pointer + "/")) {
                    return true;
                }
            }
            return false;
        }

        // a scalar's error points at the value, a mapping's or list's at its key
        private boolean isScalar(String pointer) {
            if (root == null) {
                return true;
            }
            JsonNode node = root.at(pointer);
            return !node.isContainerNode();
        }

        /**
         * A JSON pointer as users read it: {@code /subjects/app/repositories/0} is
         * {@code subjects.app.repositories[0]}; a name with other characters than letters, digits,
         * '_' and '-' is quoted: {@code subjects["app.v2"]}.
         */
        String display(String pointer) {
            StringBuilder s = new StringBuilder();
            JsonNode node = root;
            if (pointer.isEmpty()) {
                return "";
            }
            for (String raw : pointer.substring(1).split("/", -1)) {
                String name = raw.replace("~1", "/").replace("~0", "~");
                if (node != null && node.isArray() && name.matches("[0-9]+")) {
                    s.append('[').append(name).append(']');
                    node = node.get(Integer.parseInt(name));
                    continue;
                }
                if (name.matches("[A-Za-z0-9_-]+")) {
                    s.append(s.length() == 0 ? "" : ".").append(name);
                } else {
                    s.append("[\"").append(name.replace("\"", "\\\"")).append("\"]");
                }
                node = node == null || !node.isObject() ? null : node.get(name);
            }
            return s.toString();
        }

        List<ConfigError> sorted() {
            List<ConfigError> sorted = new ArrayList<>(new java.util.LinkedHashSet<>(errors));
            sorted.sort(Comparator.comparing((ConfigError e) -> e.line() == 0)
                    .thenComparingInt(ConfigError::line)
                    .thenComparingInt(ConfigError::column)
                    .thenComparing(ConfigError::path)
                    .thenComparing(ConfigError::message));
            return sorted;
        }
    }
}

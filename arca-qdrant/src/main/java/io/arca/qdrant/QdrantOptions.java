package io.arca.qdrant;

import io.arca.core.error.UsageException;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.source.SourceOption;
import io.arca.core.source.SourceOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The Qdrant options of {@code arca backup}, {@code arca restore} and {@code arca drill}, read and checked. */
final class QdrantOptions {
    static final String URL = "--qdrant";
    static final String COLLECTION = "--qdrant-collection";
    static final String ALL = "--qdrant-all";
    static final String API_KEY_FILE = "--qdrant-api-key-file";
    static final String TIMEOUT = "--qdrant-timeout";
    static final String ONLY = "--qdrant-only";
    static final String SCRATCH = "--qdrant-scratch";
    static final String API_KEY_ENV = "ARCA_QDRANT_API_KEY";
    static final String SCRATCH_API_KEY_ENV = "ARCA_QDRANT_SCRATCH_API_KEY";
    /** How long one wait may last when {@code --qdrant-timeout} is not given. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** Characters Qdrant refuses in new collection names (its {@code INVALID_NAME_CHARS}). */
    static final String INVALID_NAME_CHARS = "<>:\"/\\|?*\0\u001f";

    static final SourceOption URL_OPTION = SourceOption.value(URL, "URL",
            "Qdrant REST API to back up collections from (http://host:6333); selects the Qdrant source.");
    static final SourceOption KEY_OPTION = SourceOption.value(API_KEY_FILE, "FILE",
            "File holding Qdrant's API key (default: environment variable " + API_KEY_ENV + ").");
    static final SourceOption TIMEOUT_OPTION = SourceOption.value(TIMEOUT, "DURATION",
            "Longest wait for Qdrant: a snapshot being made, a stalled transfer, a collection turning green"
                    + " (default " + DurationText.format(DEFAULT_TIMEOUT) + ").");

    static final List<SourceOption> BACKUP = List.of(URL_OPTION,
            SourceOption.values(COLLECTION, "NAME", "A Qdrant collection to back up (repeatable)."),
            SourceOption.flag(ALL, "Back up every collection of the Qdrant."),
            KEY_OPTION, TIMEOUT_OPTION);

    static final List<SourceOption> RESTORE = List.of(
            SourceOption.value(URL, "URL", "Qdrant REST API to restore collections into; selects the Qdrant source."),
            SourceOption.values(COLLECTION, "NAME[:TARGET]", "Restore only this collection of the backup (repeatable);"
                    + " NAME:TARGET restores it under the name TARGET."),
            KEY_OPTION, TIMEOUT_OPTION,
            SourceOption.flag(ONLY, "Restore the Qdrant collections alone, not the backup's database."));

    static final List<SourceOption> DRILL = List.of(SourceOption.value(SCRATCH, "URL",
            "Scratch Qdrant to recover the backup's collections into, under temporary names that are deleted"
                    + " after the point counts are checked (API key: " + SCRATCH_API_KEY_ENV + ", else "
                    + API_KEY_ENV + ")."));

    private QdrantOptions() {
    }

    /**
     * Where and how to reach one Qdrant.
     *
     * @param url its REST API
     * @param apiKey sent as the {@code api-key} header; null for none
     * @param timeout the longest single wait
     */
    record Connection(QdrantUrl url, String apiKey, Duration timeout) {
        @Override
        public String toString() {
            // never the key
            return url + (apiKey == null ? "" : " (with api key)");
        }
    }

    /**
     * What {@code arca backup} takes from Qdrant.
     *
     * @param collections the collections named, in order (empty with {@code all})
     * @param all whether every collection is taken
     */
    record Backup(Connection connection, List<String> collections, boolean all) {
    }

    /**
     * What {@code arca restore} puts into Qdrant.
     *
     * @param collections the {@code --qdrant-collection} values as given ({@code NAME} or
     *     {@code NAME:TARGET}); empty restores every collection of the backup under its own name
     */
    record Restore(Connection connection, List<String> collections) {
        /**
         * The collections to restore, backed-up name to target name, in the order given (or the
         * backup's order without {@code --qdrant-collection}).
         *
         * @param backedUp the collections the backup holds
         * @throws UsageException naming a collection the backup does not hold
         */
        Map<String, String> targets(List<String> backedUp, String backupId) {
            Map<String, String> targets = new LinkedHashMap<>();
            if (collections.isEmpty()) {
                backedUp.forEach(c -> targets.put(c, c));
                return targets;
            }
            for (String spec : collections) {
                String name = spec;
                String target = spec;
                // a collection made before Qdrant forbade ':' in names is selected by its whole name
                int colon = spec.lastIndexOf(':');
                if (!backedUp.contains(spec) && colon >= 0) {
                    name = spec.substring(0, colon);
                    target = spec.substring(colon + 1);
                }
                if (!backedUp.contains(name)) {
                    throw new UsageException("backup '" + backupId + "' holds no qdrant collection '" + name + "'",
                            "it holds: " + (backedUp.isEmpty() ? "none" : String.join(", ", backedUp)), null);
                }
                if (targets.containsKey(name)) {
                    throw new UsageException(COLLECTION + " names collection '" + name + "' twice");
                }
                if (targets.containsValue(target)) {
                    throw new UsageException(COLLECTION + " restores two collections as '" + target + "'");
                }
                targets.put(name, target);
            }
            return targets;
        }
    }

    static boolean backupSelected(SourceOptions o) {
        return o.has(URL);
    }

    static Backup backup(SourceOptions o) {
        Connection connection = connection(o, URL, API_KEY_ENV);
        List<String> collections = names(o);
        boolean all = o.has(ALL);
        if (all && !collections.isEmpty()) {
            throw new UsageException("give " + COLLECTION + " or " + ALL + ", not both");
        }
        if (!all && collections.isEmpty()) {
            throw new UsageException(URL + " needs the collections to back up",
                    "add " + COLLECTION + " NAME (repeatable) or " + ALL, null);
        }
        return new Backup(connection, collections, all);
    }

    static Restore restore(SourceOptions o) {
        Connection connection = connection(o, URL, API_KEY_ENV);
        List<String> specs = names(o);
        for (String spec : specs) {
            int colon = spec.lastIndexOf(':');
            if (colon >= 0) {
                if (colon == 0) {
                    throw new UsageException("invalid " + COLLECTION + " '" + spec + "': give NAME or NAME:TARGET");
                }
                checkNewName(spec.substring(colon + 1), spec);
            }
        }
        return new Restore(connection, specs);
    }

    /** The scratch Qdrant of {@code arca drill}, if {@code --qdrant-scratch} was given. */
    static Optional<Connection> scratch(SourceOptions o) {
        if (!o.has(SCRATCH)) {
            return Optional.empty();
        }
        String key = o.env(SCRATCH_API_KEY_ENV).or(() -> o.env(API_KEY_ENV)).orElse(null);
        return Optional.of(new Connection(QdrantUrl.parse(SCRATCH, o.value(SCRATCH).orElseThrow()), key,
                DEFAULT_TIMEOUT));
    }

    private static List<String> names(SourceOptions o) {
        Set<String> names = new LinkedHashSet<>();
        for (String n : o.all(COLLECTION)) {
            if (n.isEmpty()) {
                throw new UsageException(COLLECTION + " needs a collection name");
            }
            if (!names.add(n)) {
                throw new UsageException(COLLECTION + " names '" + n + "' twice");
            }
        }
        return new ArrayList<>(names);
    }

    private static void checkNewName(String target, String spec) {
        if (target.isEmpty()) {
            throw new UsageException("invalid " + COLLECTION + " '" + spec + "': the target name is empty");
        }
        for (char c : target.toCharArray()) {
            if (INVALID_NAME_CHARS.indexOf(c) >= 0) {
                throw new UsageException("invalid " + COLLECTION + " '" + spec + "': qdrant refuses '"
                        + (c < ' ' ? "\\u" + String.format("%04x", (int) c) : String.valueOf(c))
                        + "' in collection names");
            }
        }
    }

    private static Connection connection(SourceOptions o, String urlOption, String keyEnv) {
        QdrantUrl url = QdrantUrl.parse(urlOption, o.value(urlOption).orElseThrow(
                () -> new UsageException(urlOption + " is required")));
        Duration timeout = o.value(TIMEOUT).map(QdrantOptions::timeout).orElse(DEFAULT_TIMEOUT);
        String key = o.value(API_KEY_FILE).map(QdrantOptions::readKey).orElseGet(() -> o.env(keyEnv).orElse(null));
        return new Connection(url, key, timeout);
    }

    private static Duration timeout(String text) {
        Duration d = DurationText.parse(text);
        if (d.isZero()) {
            throw new UsageException("invalid " + TIMEOUT + " '" + text + "': give at least 1s");
        }
        return d;
    }

    private static String readKey(String file) {
        String key;
        try {
            key = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot read " + API_KEY_FILE + " '" + file + "': " + reason(e),
                    "give a readable file holding the api key", e);
        }
        if (key.isEmpty()) {
            throw new UsageException(API_KEY_FILE + " '" + file + "' is empty", "put the api key in it", null);
        }
        if (key.indexOf('\n') >= 0 || key.indexOf('\r') >= 0) {
            throw new UsageException(API_KEY_FILE + " '" + file + "' holds more than one line",
                    "put only the api key in it", null);
        }
        return key;
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return String.valueOf(e.getMessage());
    }
}

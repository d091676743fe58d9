package io.arca.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Validates a document against {@code arca.schema.json} and words each violation for people:
 * where the library says "does not match the regex pattern", this says what a duration looks like;
 * for an unknown key it names the key and, when one is close, the key that was meant.
 */
final class SchemaCheck {
    private static final JsonNode SCHEMA_TREE;
    private static final JsonSchema SCHEMA;

    static {
        try {
            SCHEMA_TREE = new ObjectMapper().readTree(ConfigLoader.schemaText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().locale(Locale.ENGLISH).build();
        SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(SCHEMA_TREE, config);
    }

    // what a value that fails a $defs pattern should look like
    private static final Map<String, String> PATTERNS = Map.of(
            "duration", "is not a duration: use e.g. 90s, 36h, 7d, 2w, 1y or 1d12h (units s m h d w y, largest first)",
            "objective", "is not a duration or none: use e.g. 36h, 4h, 7d, or none",
            "envName", "is not an environment variable name (letters, digits and '_', not starting with a digit)",
            "name", "is not a valid name: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit",
            "compression", "is not a compression: use zstd, gzip, lz4 or none, with an optional level (zstd:9)");

    private SchemaCheck() {
    }

    static void validate(JsonNode root, ConfigLoader.Errors errors) {
        Set<ValidationMessage> messages = SCHEMA.validate(root);
        for (ValidationMessage m : messages) {
            report(m, errors);
        }
    }

    private static void report(ValidationMessage m, ConfigLoader.Errors errors) {
        String pointer = pointer(m.getInstanceLocation());
        JsonNode instance = m.getInstanceNode();
        String keyword = m.getType();
        switch (keyword) {
            case "additionalProperties" -> {
                String member = pointer + "/" + escape(m.getProperty());
                errors.addAtKey(member, "unknown key '" + m.getProperty() + "'" + suggestion(m));
            }
            case "required" -> errors.add(pointer + "/" + escape(m.getProperty()), pointer, "required, but missing", true);
            case "type" -> errors.add(pointer, "must be " + typeName(m.getSchemaNode()) + ", not " + describe(instance)
                    + yamlBooleanHint(instance));
            case "enum" -> errors.add(pointer, "must be one of " + list(m.getSchemaNode()) + ", not " + describe(instance)
                    + yamlBooleanHint(instance));
            case "pattern" -> errors.add(pointer, quote(instance) + " " + patternMessage(m));
            case "minimum" -> errors.add(pointer, "must be at least " + m.getSchemaNode().asText() + ", not " + instance);
            case "maximum" -> errors.add(pointer, "must be at most " + m.getSchemaNode().asText() + ", not " + instance);
            case "minItems" -> errors.add(pointer, "must list at least " + m.getSchemaNode().asInt()
                    + (m.getSchemaNode().asInt() == 1 ? " item" : " items"));
            case "minProperties" -> errors.add(pointer, "must name at least " + m.getSchemaNode().asInt()
                    + " entry");
            case "minLength" -> errors.add(pointer, "must not be empty");
            case "uniqueItems" -> errors.add(pointer, "lists an item more than once");
            case "propertyNames" -> {
                String name = m.getProperty() != null ? m.getProperty() : String.valueOf(firstArgument(m));
                errors.addAtKey(pointer + "/" + escape(name), "'" + name + "' " + PATTERNS.get("name"));
            }
            // a pattern under propertyNames reports the name as its instance; handled above
            default -> errors.add(pointer, stripPath(m.getMessage()));
        }
    }

    // JSON pointer of a path as the validator gives it
    static String pointer(JsonNodePath path) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            s.append('/').append(escape(String.valueOf(path.getElement(i))));
        }
        return s.toString();
    }

    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static String patternMessage(ValidationMessage m) {
        String location = m.getSchemaLocation().toString();
        for (Map.Entry<String, String> e : PATTERNS.entrySet()) {
            if (location.endsWith("/$defs/" + e.getKey() + "/pattern") || location.endsWith("/" + e.getKey() + "/pattern")) {
                return e.getValue();
            }
        }
        return "does not match " + m.getSchemaNode().asText();
    }

    // "; did you mean 'backup'?" when a known key is close to the unknown one
    private static String suggestion(ValidationMessage m) {
        JsonNode schema = schemaAt(m.getSchemaLocation().getFragment());
        if (schema == null || !schema.has("properties")) {
            return "";
        }
        List<String> known = new ArrayList<>();
        schema.get("properties").fieldNames().forEachRemaining(known::add);
        String unknown = m.getProperty();
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = normalised(k).equals(normalised(unknown)) ? 0 : distance(k.toLowerCase(Locale.ROOT), unknown.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        if (best != null && bestDistance <= Math.max(2, unknown.length() / 4)) {
            return "; did you mean '" + best + "'?";
        }
        return "; known keys here: " + String.join(", ", known);
    }

    // the schema object that holds the failing keyword (fragment ends in the keyword itself)
    private static JsonNode schemaAt(JsonNodePath fragment) {
        JsonNode node = SCHEMA_TREE;
        for (int i = 0; i < fragment.getNameCount() - 1 && node != null; i++) {
            Object element = fragment.getElement(i);
            node = element instanceof Integer index ? node.get(index) : node.get(String.valueOf(element));
        }
        return node;
    }

    private static String normalised(String key) {
        return key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    // Levenshtein distance
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String typeName(JsonNode type) {
        if (type.isArray()) {
            List<String> names = new ArrayList<>();
            type.forEach(t -> names.add(article(t.asText())));
            return String.join(" or ", names);
        }
        return article(type.asText());
    }

    private static String article(String type) {
        return switch (type) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "integer" -> "a whole number";
            case "boolean" -> "true or false";
            case "string" -> "a string";
            default -> type;
        };
    }

    static String describe(JsonNode node) {
        if (node == null || node.isNull()) {
            return "empty";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isTextual()) {
            return "'" + node.asText() + "'";
        }
        return node.toString();
    }

    private static String quote(JsonNode node) {
        return node == null ? "''" : node.isTextual() ? "'" + node.asText() + "'" : node.toString();
    }

    private static String list(JsonNode values) {
        List<String> names = new ArrayList<>();
        for (Iterator<JsonNode> it = values.elements(); it.hasNext(); ) {
            names.add(it.next().asText());
        }
        return String.join(", ", names);
    }

    // YAML 1.1 reads unquoted yes/no/on/off as booleans
    private static String yamlBooleanHint(JsonNode node) {
        return node != null && node.isBoolean() ? " (yaml reads unquoted yes, no, on and off as true or false: quote the"
                + " word, 'off')" : "";
    }

    private static Object firstArgument(ValidationMessage m) {
        Object[] args = m.getArguments();
        return args == null || args.length == 0 ? "" : args[0];
    }

    // the library's message starts with the instance path ("$.server.x: ...")
    private static String stripPath(String message) {
        int colon = message.indexOf(": ");
        String text = message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
        return text.isEmpty() ? "invalid" : text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
}

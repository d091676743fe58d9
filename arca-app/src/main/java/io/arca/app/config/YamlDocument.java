package io.arca.app.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document read into a tree, with the line and column of every key and value by JSON
 * pointer, so that errors found in the tree can name their place in the file.
 */
final class YamlDocument {
    /** Where a key or value starts: 1-based line and column. */
    record Position(int line, int column) {
    }

    static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private final JsonNode root;
    private final Map<String, Position> keys;
    private final Map<String, Position> values;

    private YamlDocument(JsonNode root, Map<String, Position> keys, Map<String, Position> values) {
        this.root = root;
        this.keys = keys;
        this.values = values;
    }

    /** The error a text that is not YAML (or uses what Arca does not read) gets. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        final int line;
        final int column;

        SyntaxError(String message, int line, int column) {
            super(message);
            this.line = line;
            this.column = column;
        }
    }

    /**
     * Reads {@code text}; an empty document is a null node.
     *
     * @throws SyntaxError with the place of the first problem
     */
    static YamlDocument read(String text) throws SyntaxError {
        Map<String, Position> keys = new HashMap<>();
        Map<String, Position> values = new HashMap<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                JsonLocation at = p.currentTokenLocation();
                Position here = new Position(at.getLineNr(), at.getColumnNr());
                if (p instanceof YAMLParser y && y.isCurrentAlias()) {
                    // Jackson reads an alias as its anchor's name, not as the anchored value
                    throw new SyntaxError("yaml aliases (*" + p.getText() + ") are not supported: write the value"
                            + " out (a value that starts with * must be quoted: '*/15 * * * *')", here.line, here.column);
                }
                String pointer = p.getParsingContext().pathAsPointer().toString();
                if (t == JsonToken.FIELD_NAME) {
                    keys.putIfAbsent(pointer, here);
                } else if (t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
                    values.putIfAbsent(pointer, here);
                }
            }
        } catch (JsonProcessingException e) {
            // Jackson wraps SnakeYAML's error, which knows where the problem is and what it is
            if (e.getCause() instanceof MarkedYAMLException yaml) {
                Mark mark = yaml.getProblemMark() != null ? yaml.getProblemMark() : yaml.getContextMark();
                throw new SyntaxError(yamlProblem(yaml), mark == null ? 1 : mark.getLine() + 1,
                        mark == null ? 1 : mark.getColumn() + 1);
            }
            JsonLocation at = e.getLocation();
            throw new SyntaxError(lowerFirst(e.getOriginalMessage()), at == null ? 1 : at.getLineNr(),
                    at == null ? 1 : at.getColumnNr());
        } catch (IOException e) {
            throw new SyntaxError("cannot read yaml: " + e.getMessage(), 1, 1);
        }
        try {
            JsonNode root = MAPPER.readTree(text);
            return new YamlDocument(root == null || root.isMissingNode() ? null : root, keys, values);
        } catch (JsonProcessingException e) {
            // the token pass above read the same text without error
            throw new IllegalStateException("yaml read twice with different results", e);
        }
    }

    /** The tree; null for an empty document. */
    JsonNode root() {
        return root;
    }

    /** Where the key of the member at {@code pointer} starts, else its value, else its parent's. */
    Position keyPosition(String pointer) {
        for (String p = pointer; ; p = parent(p)) {
            Position at = keys.get(p);
            if (at == null) {
                at = values.get(p);
            }
            if (at != null || p.isEmpty()) {
                return at != null ? at : new Position(1, 1);
            }
        }
    }

    /** Where the value at {@code pointer} starts (a scalar: the scalar; a mapping: its first key), else its key's place. */
    Position valuePosition(String pointer) {
        Position at = values.get(pointer);
        return at != null ? at : keyPosition(pointer);
    }

    static String parent(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return slash <= 0 ? "" : pointer.substring(0, slash);
    }

    private static String yamlProblem(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "invalid yaml" : e.getProblem().trim();
        if (problem.contains("(TAB)")) {
            return "a tab character: yaml is indented with spaces, not tabs";
        }
        String context = e.getContext() == null ? "" : e.getContext().trim() + ": ";
        String text = lowerFirst(context + problem);
        if (text.contains("alias")) {
            text += " (a value that starts with * is a yaml alias: quote it, '*/15 * * * *')";
        }
        return text;
    }

    private static String lowerFirst(String s) {
        if (s == null || s.isEmpty()) {
            return "invalid yaml";
        }
        return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
}

package io.arca.testkit.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Qdrant's OpenAPI schema (the part in {@code openapi-v1.19.x.json}) and a checker of JSON
 * values against its schemas: types, required and undeclared properties, enums, {@code $ref},
 * {@code anyOf}/{@code oneOf}/{@code allOf} and {@code nullable}. Enough to hold the stand-in's
 * answers to what the schema says Qdrant answers; not a general validator.
 */
final class OpenApiSchema {
    static final String RESOURCE = "openapi-v1.19.x.json";

    private final JsonNode root;

    private OpenApiSchema(JsonNode root) {
        this.root = root;
    }

    static OpenApiSchema load() {
        try (InputStream in = OpenApiSchema.class.getResourceAsStream(RESOURCE)) {
            return new OpenApiSchema(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode root() {
        return root;
    }

    /** The operation at a path template and method, if the schema has it. */
    Optional<JsonNode> operation(String method, String template) {
        JsonNode op = root.path("paths").path(template).path(method.toLowerCase(java.util.Locale.ROOT));
        return op.isMissingNode() ? Optional.empty() : Optional.of(op);
    }

    /** The names of an operation's parameters that are {@code in} (path, query). */
    static List<String> parameters(JsonNode operation, String in) {
        List<String> names = new ArrayList<>();
        for (JsonNode p : operation.path("parameters")) {
            if (p.path("in").asText().equals(in)) {
                names.add(p.path("name").asText());
            }
        }
        return names;
    }

    /**
     * The response an operation declares for a status code: the code itself, else {@code 4XX} /
     * {@code 5XX}, else {@code default}.
     */
    static Optional<JsonNode> response(JsonNode operation, int status) {
        JsonNode responses = operation.path("responses");
        for (String key : List.of(Integer.toString(status), status / 100 + "XX", "default")) {
            if (responses.has(key)) {
                return Optional.of(responses.get(key));
            }
        }
        return Optional.empty();
    }

    /** Problems of {@code value} against {@code schema}, one line each; empty when it conforms. */
    List<String> check(JsonNode schema, JsonNode value) {
        List<String> problems = new ArrayList<>();
        check(schema, value, "$", problems);
        return problems;
    }

    private JsonNode resolve(JsonNode schema) {
        while (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException("external $ref " + ref);
            }
            JsonNode target = root;
            for (String part : ref.substring(2).split("/")) {
                target = target.path(part);
            }
            if (target.isMissingNode()) {
                throw new IllegalStateException("$ref " + ref + " not in the schema file");
            }
            schema = target;
        }
        return schema;
    }

    private void check(JsonNode schema, JsonNode value, String at, List<String> problems) {
        schema = resolve(schema);
        if (value == null || value.isNull()) {
            if (!nullable(schema)) {
                problems.add(at + ": null where the schema allows none");
            }
            return;
        }
        if (isOnlyNullable(schema)) {
            problems.add(at + ": a value where the schema allows only null");
            return;
        }
        for (String any : List.of("anyOf", "oneOf")) {
            if (schema.has(any)) {
                List<String> all = new ArrayList<>();
                for (JsonNode branch : schema.get(any)) {
                    List<String> p = new ArrayList<>();
                    check(branch, value, at, p);
                    if (p.isEmpty()) {
                        all = null;
                        break;
                    }
                    all.addAll(p);
                }
                if (all != null) {
                    problems.add(at + ": matches no branch of " + any + " " + all);
                }
            }
        }
        for (JsonNode branch : schema.path("allOf")) {
            check(branch, value, at, problems);
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    problems.add(at + ": not an object: " + value);
                    return;
                }
                for (JsonNode r : schema.path("required")) {
                    if (!value.has(r.asText())) {
                        problems.add(at + ": required property '" + r.asText() + "' missing");
                    }
                }
                JsonNode props = schema.path("properties");
                JsonNode additional = schema.get("additionalProperties");
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (props.has(f.getKey())) {
                        check(props.get(f.getKey()), f.getValue(), at + "." + f.getKey(), problems);
                    } else if (additional != null && additional.isObject()) {
                        check(additional, f.getValue(), at + "." + f.getKey(), problems);
                    } else if (additional == null || !additional.asBoolean()) {
                        // Qdrant's answers hold only declared properties: an undeclared one is a stand-in invention
                        problems.add(at + ": property '" + f.getKey() + "' is not in the schema");
                    }
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(at + ": not an array: " + value);
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(schema.path("items"), value.get(i), at + "[" + i + "]", problems);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(at + ": not a string: " + value);
                } else if (schema.has("enum") && !contains(schema.get("enum"), value)) {
                    problems.add(at + ": '" + value.asText() + "' is not one of " + schema.get("enum"));
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(at + ": not an integer: " + value);
                } else if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
                    problems.add(at + ": below the minimum " + schema.get("minimum"));
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    problems.add(at + ": not a number: " + value);
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(at + ": not a boolean: " + value);
                }
            }
            default -> {
                if (schema.has("enum") && !contains(schema.get("enum"), value)) {
                    problems.add(at + ": " + value + " is not one of " + schema.get("enum"));
                }
            }
        }
    }

    private boolean nullable(JsonNode schema) {
        schema = resolve(schema);
        if (schema.path("nullable").asBoolean(false)) {
            return true;
        }
        for (String any : List.of("anyOf", "oneOf")) {
            for (JsonNode branch : schema.path(any)) {
                if (nullable(branch)) {
                    return true;
                }
            }
        }
        // a schema without any constraint allows anything, null too
        return !schema.has("type") && !schema.has("anyOf") && !schema.has("oneOf") && !schema.has("allOf")
                && !schema.has("enum") && !schema.has("properties");
    }

    private static boolean isOnlyNullable(JsonNode schema) {
        return schema.size() == 1 && schema.path("nullable").asBoolean(false);
    }

    private static boolean contains(JsonNode list, JsonNode value) {
        for (JsonNode v : list) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }
}

package io.arca.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The published schema: the resource itself, complete, strict and valid JSON Schema 2020-12. */
class ArcaSchemaTest {
    private static final Path PUBLISHED = Path.of(System.getProperty("arca.docs", "../docs"), "arca.schema.json");

    @Test
    void docsPublishTheResourceByteForByte() throws Exception {
        byte[] resource;
        try (var in = ConfigLoader.class.getResourceAsStream(ConfigLoader.SCHEMA_RESOURCE)) {
            resource = in.readAllBytes();
        }
        assertThat(Files.readAllBytes(PUBLISHED))
                .as("docs/arca.schema.json is a copy of arca-app's %s: copy it again", ConfigLoader.SCHEMA_RESOURCE)
                .isEqualTo(resource);
    }

    @Test
    void isAValidDraft202012Schema() throws Exception {
        JsonSchema meta = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        JsonNode schema = new ObjectMapper().readTree(ConfigLoader.schemaText());
        assertThat(meta.validate(schema)).isEmpty();
        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    @Test
    void everyPropertyIsDescribedAndEveryObjectIsClosed() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(ConfigLoader.schemaText());
        List<String> undescribed = new ArrayList<>();
        List<String> open = new ArrayList<>();
        walk(schema, schema, "#", undescribed, open);
        assertThat(undescribed).as("properties without a description").isEmpty();
        assertThat(open).as("objects with properties that allow unknown keys").isEmpty();
    }

    private static void walk(JsonNode root, JsonNode node, String at, List<String> undescribed, List<String> open) {
        if (node.has("properties")) {
            if (!node.path("additionalProperties").isBoolean() || node.get("additionalProperties").asBoolean()) {
                open.add(at);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.get("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if (!described(root, p.getValue())) {
                    undescribed.add(at + "/properties/" + p.getKey());
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> child = it.next();
            if (child.getValue().isObject()) {
                walk(root, child.getValue(), at + "/" + child.getKey(), undescribed, open);
            }
        }
    }

    private static boolean described(JsonNode root, JsonNode property) {
        if (property.hasNonNull("description")) {
            return true;
        }
        // a bare $ref takes the description of what it names
        String ref = property.path("$ref").asText("");
        return ref.startsWith("#/") && root.at(ref.substring(1)).hasNonNull("description");
    }
}

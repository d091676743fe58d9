package io.arca.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Kubernetes objects as multi-document YAML, the form {@code kubectl apply -f} reads: written one
 * object at a time, each document starting with {@code ---}, and read back one document at a time,
 * so neither side holds more than one object.
 */
final class YamlObjects {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final YAMLMapper YAML = new YAMLMapper();

    private YamlObjects() {
    }

    /** Writes {@code object} as one YAML document. */
    static void write(GenericKubernetesResource object, OutputStream out) throws IOException {
        String yaml = SERIALIZATION.asYaml(object);
        if (!yaml.startsWith("---")) {
            out.write("---\n".getBytes(StandardCharsets.UTF_8));
        }
        out.write(yaml.getBytes(StandardCharsets.UTF_8));
        if (!yaml.endsWith("\n")) {
            out.write('\n');
        }
    }

    /** The objects of a YAML stream, one at a time; empty documents are skipped. */
    static Reader read(InputStream in) {
        return new Reader(YAML.readerFor(JsonNode.class).readValues(in));
    }

    /**
     * Reads objects one at a time. Parse errors, and documents that are not objects, are Jackson's
     * unchecked {@code JacksonException}s.
     */
    static final class Reader implements AutoCloseable {
        private final MappingIterator<JsonNode> documents;

        private Reader(MappingIterator<JsonNode> documents) {
            this.documents = documents;
        }

        /** The next object, or null at the end of the stream. */
        GenericKubernetesResource next() {
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                if (document == null || document.isNull() || document.isMissingNode()
                        || document.isObject() && document.isEmpty()) {
                    continue;
                }
                if (!document.isObject()) {
                    throw MismatchedInputException.from(documents.parser(), GenericKubernetesResource.class,
                            "a document is " + document.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                                    + ", not a kubernetes object");
                }
                return SERIALIZATION.convertValue(document, GenericKubernetesResource.class);
            }
            return null;
        }

        @Override
        public void close() {
            documents.close();
        }
    }
}

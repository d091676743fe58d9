package io.arca.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.databind.MappingIterator;
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
        return new Reader(YAML.readerFor(Map.class).readValues(in));
    }

    /** Reads objects one at a time. Parse errors are Jackson's unchecked {@code JacksonException}s. */
    static final class Reader implements AutoCloseable {
        private final MappingIterator<Map<String, Object>> documents;

        private Reader(MappingIterator<Map<String, Object>> documents) {
            this.documents = documents;
        }

        /** The next object, or null at the end of the stream. */
        GenericKubernetesResource next() {
            while (documents.hasNextValue()) {
                Map<String, Object> document = documents.nextValue();
                if (document != null && !document.isEmpty()) {
                    return SERIALIZATION.convertValue(document, GenericKubernetesResource.class);
                }
            }
            return null;
        }

        @Override
        public void close() {
            documents.close();
        }
    }
}

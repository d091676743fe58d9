package io.arca.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;

class YamlObjectsTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    /** Values that YAML would read as something else if written carelessly. */
    private static final Map<String, String> TRICKY = new LinkedHashMap<>();

    static {
        TRICKY.put("bool", "true");
        TRICKY.put("yes", "yes");
        TRICKY.put("number", "012");
        TRICKY.put("float", "1e3");
        TRICKY.put("null", "null");
        TRICKY.put("empty", "");
        TRICKY.put("multi.line", "line one\n  indented: two\n---\nthree\n");
        TRICKY.put("quotes", "it's \"quoted\" # not a comment");
        TRICKY.put("unicode", "grüße ✓");
        TRICKY.put("leading-space", "  x");
    }

    private static GenericKubernetesResource configMap(String name, Map<String, String> data) {
        return JSON.convertValue(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("shop")
                .endMetadata().withData(data).build(), GenericKubernetesResource.class);
    }

    @Test
    void objectsWrittenOneByOneReadBackUnchanged() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        YamlObjects.write(configMap("a", TRICKY), out);
        YamlObjects.write(configMap("b", Map.of("k", "v")), out);

        String yaml = out.toString(StandardCharsets.UTF_8);
        assertThat(yaml).startsWith("---\n").contains("\n---\n");
        List<GenericKubernetesResource> read = new ArrayList<>();
        try (YamlObjects.Reader r = YamlObjects.read(new ByteArrayInputStream(out.toByteArray()))) {
            for (GenericKubernetesResource o = r.next(); o != null; o = r.next()) {
                read.add(o);
            }
        }
        assertThat(read).hasSize(2);
        assertThat(read.get(0).getMetadata().getName()).isEqualTo("a");
        assertThat(read.get(0).getAdditionalProperties().get("data")).isEqualTo(TRICKY);
        assertThat(read.get(1).getKind()).isEqualTo("ConfigMap");
    }

    @Test
    void emptyDocumentsAreSkippedAndBrokenYamlFails() throws Exception {
        byte[] yaml = "---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n".getBytes(StandardCharsets.UTF_8);
        try (YamlObjects.Reader r = YamlObjects.read(new ByteArrayInputStream(yaml))) {
            assertThat(r.next().getMetadata().getName()).isEqualTo("x");
            assertThat(r.next()).isNull();
        }
        for (String broken : List.of("---\napiVersion: v1\nkind: [ConfigMap\n", "---\njust text\n")) {
            assertThatThrownBy(() -> {
                try (YamlObjects.Reader r = YamlObjects.read(new ByteArrayInputStream(
                        broken.getBytes(StandardCharsets.UTF_8)))) {
                    r.next();
                }
            }).as(broken).isInstanceOf(JacksonException.class);
        }
    }
}

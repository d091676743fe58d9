package io.arca.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/compose/compose.yaml} as a file: valid against the Compose Specification's JSON
 * Schema (vendored, see {@code compose-spec.SOURCE}), images pinned, ports on loopback only, every
 * mounted host file present, every dependency and variable defined.
 */
class ComposeFileTest {
    private final ComposeStack stack = ComposeStack.load();

    @Test
    void validatesAgainstTheComposeSpecification() throws IOException {
        JsonNode schemaTree;
        try (InputStream in = getClass().getResourceAsStream("/compose/compose-spec.json")) {
            assertThat(in).as("compose-spec.json on the test class path").isNotNull();
            schemaTree = ComposeStack.JSON.readTree(in);
        }
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                .getSchema(SchemaLocation.of("classpath:compose/compose-spec.json"), schemaTree, // a base for its relative $id
                        SchemaValidatorsConfig.builder().locale(Locale.ENGLISH).build());
        Set<ValidationMessage> errors = schema.validate(stack.raw());
        assertThat(errors).as("compose.yaml against the Compose Specification").isEmpty();
        // the schema itself catches what it should: a misspelt service key
        JsonNode broken = stack.raw().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("services").path("arca")).put("comand", "server");
        assertThat(schema.validate(broken)).extracting(ValidationMessage::getMessage)
                .anySatisfy(m -> assertThat(m).contains("comand"));
    }

    @Test
    void isACurrentComposeFileWithoutAliases() throws IOException {
        assertThat(stack.raw().has("version")).as("the obsolete top-level version key").isFalse();
        // Jackson (like Arca's own loader) reads a YAML alias as text, not as the anchored node
        String text = Files.readString(stack.dir().resolve("compose.yaml"));
        assertThat(Pattern.compile("(?m)(^|[\\s:\\[,-])[&*][A-Za-z]").matcher(text.replaceAll("(?m)#.*$", "")).find())
                .as("YAML anchors or aliases in compose.yaml").isFalse();
        assertThat(stack.services().size()).isGreaterThanOrEqualTo(7);
        assertThat(stack.services().fieldNames()).toIterable()
                .contains("postgres", "minio", "minio-init", "arca-init", "arca", "prometheus", "grafana");
    }

    @Test
    void everyImageIsPinned() {
        stack.services().fields().forEachRemaining(s -> {
            String image = s.getValue().path("image").asText("");
            assertThat(image).as("image of service '%s'", s.getKey()).isNotEmpty();
            int slash = image.lastIndexOf('/');
            int colon = image.indexOf(':', slash + 1);
            assertThat(colon).as("tag of %s (service '%s')", image, s.getKey()).isPositive();
            String tag = image.substring(colon + 1).replaceAll("@.*", "");
            assertThat(tag).as("tag of %s (service '%s')", image, s.getKey())
                    .isNotEmpty().isNotEqualToIgnoringCase("latest")
                    .doesNotContain("${");
            // a full version, not a moving major or minor tag
            assertThat(tag).as("tag of %s", image).matches("v?\\d+\\.\\d+\\.\\d+.*|\\d+\\.\\d+|RELEASE\\..+|\\d+\\.\\d+\\.\\d+-SNAPSHOT");
        });
        assertThat(stack.service("postgres").path("image").asText()).startsWith("postgres:17.");
        assertThat(stack.service("prometheus").path("image").asText())
                .as("the version of the promtool the tests run (Debian prometheus 2.42)").isEqualTo("prom/prometheus:v2.42.0");
        assertThat(stack.service("minio").path("image").asText()).startsWith("minio/minio:RELEASE.");
        assertThat(stack.service("minio-init").path("image").asText()).startsWith("minio/mc:RELEASE.");
        assertThat(stack.service("arca").path("image").asText()).isEqualTo("arca:" + System.getProperty("arca.version", "0.1.0-SNAPSHOT"));
    }

    @Test
    void everyPortIsPublishedOnLoopbackOnly() {
        List<String> published = new ArrayList<>();
        stack.services().fields().forEachRemaining(s -> s.getValue().path("ports").forEach(p -> {
            if (p.isObject()) {
                assertThat(p.path("host_ip").asText()).as("host_ip of a port of '%s'", s.getKey()).isEqualTo("127.0.0.1");
                published.add(p.path("published").asText());
            } else {
                String text = stack.interpolate(p.asText());
                assertThat(text).as("a port of '%s'", s.getKey()).matches("127\\.0\\.0\\.1:\\d+:\\d+(/tcp)?");
                published.add(text.split(":")[1]);
            }
        }));
        assertThat(published).as("host ports").doesNotHaveDuplicates().isNotEmpty();
        assertThat(stack.services().path("postgres-scratch").has("ports")).as("the scratch server is internal").isFalse();
    }

    @Test
    void everyMountedHostFileExistsAndIsReadOnly() {
        List<String> checked = new ArrayList<>();
        stack.services().fieldNames().forEachRemaining(name -> stack.bindMounts(name).forEach(m -> {
            assertThat(m.hostPath()).as("%s mounted into '%s' at %s", m.source(), name, m.target()).exists();
            assertThat(m.hostPath().startsWith(ComposeStack.deployDir().getParent()))
                    .as("%s stays inside the repository", m.source()).isTrue();
            assertThat(m.readOnly()).as("bind mount %s of '%s' read-only", m.source(), name).isTrue();
            checked.add(m.source());
        }));
        // the shared files are mounted from where they live, not copied
        assertThat(checked).contains("./arca.yaml", "./prometheus.yml", "../prometheus/arca-rules.yml",
                "../grafana/arca-dashboard.json");
    }

    @Test
    void namedVolumesAndDependenciesExist() {
        stack.services().fields().forEachRemaining(s -> {
            JsonNode deps = s.getValue().path("depends_on");
            List<String> names = new ArrayList<>();
            if (deps.isArray()) {
                deps.forEach(d -> names.add(d.asText()));
            } else {
                deps.fieldNames().forEachRemaining(names::add);
            }
            for (String dep : names) {
                assertThat(stack.services().has(dep)).as("'%s' depends on '%s'", s.getKey(), dep).isTrue();
                assertThat(dep).isNotEqualTo(s.getKey());
            }
            for (JsonNode v : s.getValue().path("volumes")) {
                String source = v.isTextual() ? v.asText().split(":")[0] : v.path("source").asText();
                if (!source.startsWith(".") && !source.startsWith("/")) {
                    assertThat(stack.raw().path("volumes").has(source)).as("named volume '%s' of '%s'", source, s.getKey())
                            .isTrue();
                }
            }
        });
        // the start order the README describes: bucket, then repository, then server
        assertThat(stack.service("minio-init").at("/depends_on/minio/condition").asText()).isEqualTo("service_healthy");
        assertThat(stack.service("arca-init").at("/depends_on/minio-init/condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(stack.service("arca").at("/depends_on/arca-init/condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(stack.service("arca").at("/depends_on/postgres/condition").asText()).isEqualTo("service_healthy");
    }

    @Test
    void everyVariableIsSetInTheEnvExampleAndSecretsAreNotInline() throws IOException {
        String text = Files.readString(stack.dir().resolve("compose.yaml")).replaceAll("(?m)^\\s*#.*$", "");
        List<String> used = ComposeStack.variables(text);
        assertThat(used).as("variables of compose.yaml").isNotEmpty();
        assertThat(stack.dotEnv().keySet()).as(".env.example").containsAll(used);
        // interpolation of the whole file works with .env.example (no ${X:?...} left unset)
        assertThat(stack.interpolate(text)).doesNotContain("${");
        for (String key : List.of("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "ARCA_PASSPHRASE", "GRAFANA_ADMIN_PASSWORD")) {
            assertThat(stack.dotEnv().get(key)).as("%s in .env.example says to change it", key).startsWith("change-me");
            assertThat(text).as("%s's value written into compose.yaml", key).doesNotContain(stack.dotEnv().get(key));
        }
        assertThat(Files.readString(stack.dir().resolve(".gitignore"))).contains(".env");
    }
}

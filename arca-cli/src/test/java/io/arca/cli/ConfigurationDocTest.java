package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.arca.app.config.ArcaConfig;
import io.arca.app.config.ConfigException;
import io.arca.app.config.ConfigLoader;
import io.arca.testkit.docs.DocBlocks;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md stays true: every YAML block loads (with the sources arca-cli carries),
 * and the error example gives exactly the errors printed under it.
 */
class ConfigurationDocTest {
    private static final String DOC = "configuration.md";
    private static final String ERROR_EXAMPLE = "config-error-example";

    private final ConfigLoader loader = ConfigDefaults.loader(Map.of());

    @Test
    void everyYamlBlockIsAValidConfiguration() throws Exception {
        List<DocBlocks.Block> yaml = DocBlocks.blocks(DOC).stream()
                .filter(b -> b.language().equals("yaml") && !ERROR_EXAMPLE.equals(b.marker())).toList();
        assertThat(yaml).hasSizeGreaterThanOrEqualTo(2);
        for (DocBlocks.Block block : yaml) {
            ArcaConfig config = loader.load(block.text(), DOC, List.of());
            assertThat(config.subjects()).as(block.text()).isNotEmpty();
        }
    }

    @Test
    void theCompleteExampleHasEverySection() throws Exception {
        String full = DocBlocks.blocks(DOC).stream().filter(b -> b.language().equals("yaml")).findFirst().orElseThrow().text();
        ArcaConfig c = loader.load(full, DOC, List.of());
        assertThat(c.notifications()).extracting(ArcaConfig.Notification::type).contains("webhook", "slack", "email");
        assertThat(c.server()).isNotNull();
        assertThat(c.runs()).isNotNull();
        ArcaConfig.SubjectEntry app = c.subjects().values().iterator().next();
        assertThat(app.sources()).isNotEmpty();
        assertThat(List.of(app.backup(), app.schedules(), app.objectives(), app.retention(), app.drill())).doesNotContainNull();
        assertThat(app.schedules().walReceive()).isTrue();
    }

    @Test
    void theErrorExamplePrintsWhatTheDocSays() throws Exception {
        List<DocBlocks.Block> blocks = DocBlocks.blocks(DOC);
        int at = -1;
        for (int i = 0; i < blocks.size(); i++) {
            if (ERROR_EXAMPLE.equals(blocks.get(i).marker())) {
                at = i;
            }
        }
        assertThat(at).as("a block marked <!-- %s -->", ERROR_EXAMPLE).isNotNegative();
        String example = blocks.get(at).text();
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(example, "arca.yaml", List.of()));
        assertThat(e).isNotNull();
        DocBlocks.Block printed = blocks.get(at + 1);
        assertThat(printed.language()).isEqualTo("text");
        assertThat(printed.text()).isEqualTo("error: " + e.getMessage() + "\nhint: " + e.hint() + "\n");
    }

    @Test
    void theEnvironmentTableNamesEveryOverride() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("arca.docs", "../docs"), DOC));
        for (String variable : ConfigLoader.ENVIRONMENT.keySet()) {
            assertThat(doc).contains("| `" + variable + "` | `" + ConfigLoader.ENVIRONMENT.get(variable) + "` |");
        }
        for (String variable : ConfigDefaults.ENVIRONMENT.values()) {
            assertThat(doc).contains("`" + variable + "`");
        }
        assertThat(doc).contains("`" + ConfigLoader.CONFIG_ENV + "`", "`" + ConfigDefaults.SUBJECT_ENV + "`");
    }
}

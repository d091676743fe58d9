package io.arca.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus and Grafana of the stack: {@code prometheus.yml} and the mounted rules pass the
 * real {@code promtool} of the version the stack runs (Debian {@code prometheus} 2.42), and
 * Grafana's provisioning points at the prometheus service and gives the dashboard its datasource.
 */
class ComposeMonitoringTest {
    private static final String PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";

    private final ComposeStack stack = ComposeStack.load();

    /**
     * {@code promtool check config} on the mounted files laid out as in the container (under a temp
     * folder standing for {@code /}), with the rule paths of {@code prometheus.yml} rewritten
     * into that folder only, so that the rules it names must be mounted where it names them.
     */
    @Test
    void prometheusConfigPassesPromtoolWithTheMountedRules(@TempDir Path root) throws Exception {
        Path config = stack.mountAt("prometheus", PROMETHEUS_CONFIG).hostPath();
        for (ComposeStack.Mount m : stack.bindMounts("prometheus")) {
            Path inContainer = root.resolve(m.target().substring(1));
            Files.createDirectories(inContainer.getParent());
            Files.copy(m.hostPath(), inContainer);
        }
        JsonNode parsed = ComposeStack.YAML.readTree(config.toFile());
        List<String> ruleFiles = new ArrayList<>();
        parsed.path("rule_files").forEach(r -> ruleFiles.add(r.asText()));
        assertThat(ruleFiles).containsExactly("/etc/prometheus/rules/arca-rules.yml");
        assertThat(stack.mountAt("prometheus", ruleFiles.get(0)).source()).isEqualTo("../prometheus/arca-rules.yml");

        String text = Files.readString(config);
        for (String rule : ruleFiles) {
            text = text.replace(rule, root.resolve(rule.substring(1)).toString());
        }
        Path rewritten = root.resolve("etc/prometheus/prometheus.yml");
        Files.writeString(rewritten, text);

        ComposeStack.ToolResult check = ComposeStack.run("prometheus", root, "promtool", "check", "config", rewritten.toString());
        assertThat(check.exitCode()).as("promtool check config:%n%s", check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS", "rules found");

        // a rule file that is not mounted where prometheus.yml says fails the same check
        Files.delete(root.resolve(ruleFiles.get(0).substring(1)));
        ComposeStack.ToolResult missing = ComposeStack.run("prometheus", root, "promtool", "check", "config", rewritten.toString());
        assertThat(missing.exitCode()).as("promtool check config without the rules:%n%s", missing.output()).isNotZero();

        ComposeStack.ToolResult version = ComposeStack.run("prometheus", root, "promtool", "--version");
        String image = stack.service("prometheus").path("image").asText();
        assertThat(version.output()).as("promtool's version is the image's, %s", image)
                .contains("version " + image.replaceAll(".*:v", ""));
    }

    @Test
    void theMountedRulesPassPromtool(@TempDir Path tmp) throws Exception {
        Path rules = stack.mountAt("prometheus", "/etc/prometheus/rules/arca-rules.yml").hostPath();
        ComposeStack.ToolResult check = ComposeStack.run("prometheus", tmp, "promtool", "check", "rules", rules.toString());
        assertThat(check.exitCode()).as("promtool check rules:%n%s", check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS");
    }

    @Test
    void prometheusScrapesTheArcaService() throws IOException {
        JsonNode config = ComposeStack.YAML.readTree(stack.mountAt("prometheus", PROMETHEUS_CONFIG).hostPath().toFile());
        JsonNode arcaJob = null;
        for (JsonNode job : config.path("scrape_configs")) {
            if (job.path("job_name").asText().equals("arca")) {
                arcaJob = job;
            }
        }
        assertThat(arcaJob).as("a scrape job named arca (ArcaDown matches job=~\"arca.*\")").isNotNull();
        assertThat(arcaJob.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");
        String target = arcaJob.at("/static_configs/0/targets/0").asText();
        assertThat(stack.services().has(target.replaceAll(":.*", ""))).as("target %s is a service", target).isTrue();
        assertThat(Files.readString(stack.mountAt("prometheus", "/etc/prometheus/rules/arca-rules.yml").hostPath()))
                .contains("up{job=~\"arca.*\"}");
    }

    @Test
    void grafanaProvisionsThePrometheusServiceAndTheDashboard() throws IOException {
        JsonNode datasources = ComposeStack.YAML.readTree(stack.mountAt("grafana",
                "/etc/grafana/provisioning/datasources/prometheus.yaml").hostPath().toFile());
        assertThat(datasources.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(datasources.path("datasources")).hasSize(1);
        JsonNode ds = datasources.path("datasources").get(0);
        assertThat(ds.path("type").asText()).isEqualTo("prometheus");
        assertThat(ds.path("isDefault").asBoolean()).isTrue();
        String uid = ds.path("uid").asText();
        assertThat(uid).isNotEmpty();
        URI url = URI.create(ds.path("url").asText());
        assertThat(url.getHost()).isEqualTo("prometheus");
        assertThat(stack.services().has(url.getHost())).isTrue();
        // Prometheus listens on 9090 in its container (the image's default, not changed by a command)
        assertThat(url.getPort()).isEqualTo(9090);
        assertThat(stack.service("prometheus").has("command")).isFalse();
        List<Integer> prometheusPorts = new ArrayList<>();
        stack.service("prometheus").path("ports").forEach(p -> prometheusPorts.add(ComposeStack.containerPort(p.asText())));
        assertThat(prometheusPorts).contains(url.getPort());

        JsonNode providers = ComposeStack.YAML.readTree(stack.mountAt("grafana",
                "/etc/grafana/provisioning/dashboards/arca.yaml").hostPath().toFile());
        assertThat(providers.path("apiVersion").asInt()).isEqualTo(1);
        JsonNode provider = providers.path("providers").get(0);
        assertThat(provider.path("type").asText()).isEqualTo("file");
        String folder = provider.at("/options/path").asText();
        ComposeStack.Mount dashboard = stack.mountAt("grafana", folder + "/arca-dashboard.json");
        assertThat(dashboard.source()).isEqualTo("../grafana/arca-dashboard.json");
        assertThat(stack.environment("grafana").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")).isEqualTo(dashboard.target());

        // every datasource reference of the dashboard resolves to the provisioned datasource
        JsonNode board = ComposeStack.JSON.readTree(dashboard.hostPath().toFile());
        assertThat(board.path("uid").asText()).isNotEmpty();
        List<String> variables = new ArrayList<>();
        for (JsonNode v : board.at("/templating/list")) {
            if (v.path("type").asText().equals("datasource")) {
                assertThat(v.path("query").asText()).as("datasource variable %s's type", v.path("name")).isEqualTo(ds.path("type").asText());
                variables.add("${" + v.path("name").asText() + "}");
            }
        }
        List<JsonNode> refs = new ArrayList<>();
        collectDatasources(board, refs);
        assertThat(refs).as("datasource references of the dashboard").isNotEmpty();
        for (JsonNode ref : refs) {
            String refUid = ref.isTextual() ? ref.asText() : ref.path("uid").asText();
            if (ref.isObject()) {
                assertThat(ref.path("type").asText()).as("type of %s", ref).isIn("prometheus", "grafana", "-- Grafana --");
                if (!ref.path("type").asText().equals("prometheus")) {
                    continue;  // Grafana's built-in annotations
                }
            }
            assertThat(refUid).as("datasource reference %s", ref).isIn(concat(variables, uid));
        }
    }

    @Test
    void grafanaIsAnonymousViewerWithAnAdminPasswordFromEnv() {
        var env = stack.environment("grafana");
        assertThat(env.get("GF_AUTH_ANONYMOUS_ENABLED")).isEqualTo("true");
        assertThat(env.get("GF_AUTH_ANONYMOUS_ORG_ROLE")).isEqualTo("Viewer");
        assertThat(stack.service("grafana").path("environment").path("GF_SECURITY_ADMIN_PASSWORD").asText())
                .startsWith("${GRAFANA_ADMIN_PASSWORD");
        assertThat(env.get("GF_SECURITY_ADMIN_PASSWORD")).isEqualTo(stack.dotEnv().get("GRAFANA_ADMIN_PASSWORD"));
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }

    private static void collectDatasources(JsonNode node, List<JsonNode> refs) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getKey().equals("datasource") && !f.getValue().isNull()) {
                    refs.add(f.getValue());
                } else {
                    collectDatasources(f.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectDatasources(n, refs));
        }
    }
}

package io.arca.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.storage.StorageUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code promtool} (Debian {@code prometheus}) on what ships in {@code deploy/} and on the
 * model's output: the rules are valid and pass their unit tests, the exposition passes
 * {@code promtool check metrics} (format and naming lint), and every dashboard query parses.
 */
class PromtoolIT {
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*[a-z_]+\\)");

    @TempDir
    Path dir;

    @Test
    void theRulesFilesAreValid() throws Exception {
        Promtool.Result plain = Promtool.run(dir, null, "check", "rules", DeployFiles.rules().toString());
        assertThat(plain.exit()).as(plain.toString()).isZero();
        assertThat(plain.output()).contains("SUCCESS");

        // promtool reads plain rule files: give it the PrometheusRule's groups as one
        JsonNode spec = DeployFiles.yaml(DeployFiles.prometheusRule()).path("spec");
        Path groups = dir.resolve("operator-groups.yml");
        DeployFiles.YAML.writeValue(groups.toFile(), spec);
        Promtool.Result operator = Promtool.run(dir, null, "check", "rules", groups.toString());
        assertThat(operator.exit()).as(operator.toString()).isZero();
    }

    @Test
    void everyAlertPassesItsUnitTests() throws Exception {
        List<String> args = new ArrayList<>(List.of("test", "rules"));
        DeployFiles.ruleTests().forEach(p -> args.add("tests/" + p.getFileName()));

        Promtool.Result r = Promtool.run(DeployFiles.rules().getParent(), null, args.toArray(String[]::new));

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.output()).doesNotContain("FAILED");
        assertThat(r.output().split("SUCCESS", -1)).as(r.toString()).hasSize(DeployFiles.ruleTests().size() + 1);
    }

    @Test
    void theModelsExpositionPassesPromtoolCheckMetrics() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        TestRepository repo = TestRepository.init(StorageUrl.parse(dir.resolve("repo").toString()),
                now.minus(Duration.ofDays(30)));
        new RichRepository(repo, now);
        String text;
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(repo.url())), Duration.ZERO,
                new SettableClock(now))) {
            text = model.scrape();
        }
        assertThat(Samples.parse(text).names()).as("every metric is checked").isEqualTo(DeployFiles.metricNames());

        Promtool.Result r = Promtool.run(dir, text, "check", "metrics");

        assertThat(r.exit()).as(r + "\n--- input\n" + text).isZero();
        assertThat(r.output()).as("lint problems").isBlank();
    }

    @Test
    void everyDashboardQueryParses() throws Exception {
        ObjectNode rules = DeployFiles.YAML.createObjectNode();
        ArrayNode list = rules.putArray("groups").addObject().put("name", "dashboard").putArray("rules");
        int n = 0;
        for (String query : GrafanaDashboardTest.queries(GrafanaDashboardTest.dashboard())) {
            Matcher m = LABEL_VALUES.matcher(query);
            String promql = (m.matches() ? m.group(1) : query)
                    .replace("$repository", ".*").replace("$subject", ".*").replace("$__rate_interval", "5m");
            list.addObject().put("record", "dashboard:query_" + ++n).put("expr", promql);
        }
        Path file = dir.resolve("dashboard-queries.yml");
        DeployFiles.YAML.writeValue(file.toFile(), rules);

        Promtool.Result r = Promtool.run(dir, null, "check", "rules", file.toString());

        assertThat(r.exit()).as(r + "\n--- queries\n" + Files.readString(file)).isZero();
        assertThat(r.output()).contains("SUCCESS: " + n + " rules found");
    }
}

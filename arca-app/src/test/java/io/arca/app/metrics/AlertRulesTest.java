package io.arca.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in {@code deploy/prometheus/}: the plain file and the PrometheusRule hold the same
 * rules, every rule names only metrics the model emits, and every alert has a promtool test where
 * it fires and one where it does not ({@code PromtoolIT} runs them).
 */
class AlertRulesTest {

    @Test
    void thePrometheusRuleHoldsTheSameGroupsAsThePlainRulesFile() throws Exception {
        JsonNode plain = DeployFiles.yaml(DeployFiles.rules());
        JsonNode operator = DeployFiles.yaml(DeployFiles.prometheusRule());

        assertThat(operator.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(operator.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(operator.path("metadata").path("name").asText()).isNotBlank();
        assertThat(operator.path("spec").path("groups")).isEqualTo(plain.path("groups"));
        assertThat(DeployFiles.rulesOf(plain.path("groups"))).hasSizeGreaterThanOrEqualTo(8);
    }

    @Test
    void theRulesCoverWhatTheIssueAsksFor() throws Exception {
        Set<String> alerts = alerts();

        assertThat(alerts).contains("ArcaBackupFailed", "ArcaBackupTooOld", "ArcaWalArchivingStalled", "ArcaDrillFailed",
                "ArcaNoRecentDrill", "ArcaRtoExceeded", "ArcaVerifyFailed", "ArcaMetricsScrapeFailing", "ArcaDown");
    }

    @Test
    void everyRuleNamesOnlyMetricsTheModelEmits() throws Exception {
        Set<String> known = DeployFiles.metricNames();
        for (JsonNode rule : DeployFiles.rulesOf(DeployFiles.yaml(DeployFiles.rules()).path("groups"))) {
            String expr = rule.path("expr").asText();
            assertThat(DeployFiles.arcaNames(expr)).as(rule.path("alert").asText() + ": " + expr).isSubsetOf(known);
            if (DeployFiles.arcaNames(expr).isEmpty()) {
                assertThat(expr).as("only the target's health is judged without an arca metric").startsWith("up{");
            }
        }
    }

    @Test
    void everyAlertHasAPromtoolTestWhereItFiresAndOneWhereItDoesNot() throws Exception {
        Set<String> fires = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        List<Path> files = DeployFiles.ruleTests();
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            JsonNode doc = DeployFiles.yaml(file);
            assertThat(doc.path("rule_files").get(0).asText()).as(file.toString()).isEqualTo("../arca-rules.yml");
            for (JsonNode test : doc.path("tests")) {
                for (JsonNode t : test.path("alert_rule_test")) {
                    (t.path("exp_alerts").isEmpty() ? quiet : fires).add(t.path("alertname").asText());
                }
            }
        }
        assertThat(fires).as("alerts with a firing test").containsAll(alerts());
        assertThat(quiet).as("alerts with a test where they stay quiet").containsAll(alerts());
    }

    private static Set<String> alerts() throws Exception {
        Set<String> names = new HashSet<>();
        for (JsonNode rule : DeployFiles.rulesOf(DeployFiles.yaml(DeployFiles.rules()).path("groups"))) {
            names.add(rule.path("alert").asText());
        }
        return names;
    }
}

package io.arca.app.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The files under {@code deploy/} that use the metrics' names, read for tests. */
final class DeployFiles {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ARCA_NAME = Pattern.compile("\\barca_[a-z0-9_]+\\b");

    private DeployFiles() {
    }

    static Path deploy() {
        return Path.of(System.getProperty("arca.deploy", "../deploy")).toAbsolutePath().normalize();
    }

    static Path rules() {
        return deploy().resolve("prometheus/arca-rules.yml");
    }

    static Path prometheusRule() {
        return deploy().resolve("prometheus/arca-prometheusrule.yaml");
    }

    static Path dashboard() {
        return deploy().resolve("grafana/arca-dashboard.json");
    }

    static JsonNode yaml(Path file) throws IOException {
        return YAML.readTree(file.toFile());
    }

    /** The promtool unit test files, {@code deploy/prometheus/tests/*.yml}. */
    static List<Path> ruleTests() throws IOException {
        try (Stream<Path> files = Files.list(deploy().resolve("prometheus/tests"))) {
            return files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    /** Every rule of every group of a rules document ({@code groups: [...]}). */
    static List<JsonNode> rulesOf(JsonNode groups) {
        List<JsonNode> rules = new ArrayList<>();
        groups.forEach(g -> g.path("rules").forEach(rules::add));
        return rules;
    }

    /** The names starting with {@code arca_} in a PromQL expression. */
    static Set<String> arcaNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = ARCA_NAME.matcher(expr);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /** Every metric name the model can emit. */
    static Set<String> metricNames() {
        return Arrays.stream(Metric.values()).map(Metric::metricName).collect(Collectors.toCollection(TreeSet::new));
    }
}

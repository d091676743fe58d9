package io.arca.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.storage.StorageUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/metrics.md} lists exactly the metrics the model emits, each with its type, labels and
 * meaning as {@link Metric} says, and exactly the alerts of {@code deploy/prometheus/arca-rules.yml}.
 */
class MetricsDocTest {
    private static final String TABLE = "<!-- metrics table: MetricsDocTest -->";
    private static final Pattern ALERT_ROW = Pattern.compile("(?m)^\\| `(Arca[A-Za-z]+)` \\|");

    @TempDir
    Path dir;

    @Test
    void theTableIsTheModelsMetrics() throws Exception {
        String doc = doc();
        int at = doc.indexOf(TABLE);
        assertThat(at).as("docs/metrics.md has the marker " + TABLE).isNotNegative();
        List<String> rows = doc.substring(at + TABLE.length()).lines().dropWhile(String::isBlank)
                .takeWhile(l -> l.startsWith("|")).toList();

        assertThat(rows).as("docs/metrics.md's table; expected:\n" + String.join("\n", table()))
                .containsExactlyElementsOf(table());
    }

    @Test
    void theDocListsExactlyWhatTheModelEmits() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        TestRepository repo = TestRepository.init(StorageUrl.parse(dir.resolve("repo").toString()),
                now.minus(Duration.ofDays(30)));
        new RichRepository(repo, now);
        Set<String> emitted;
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(repo.url())), Duration.ZERO,
                new SettableClock(now))) {
            emitted = Samples.parse(model.scrape()).names();
        }
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `(arca_[a-z0-9_]+)` \\|").matcher(doc());
        while (m.find()) {
            documented.add(m.group(1));
        }

        assertThat(documented).isEqualTo(emitted);
    }

    @Test
    void theDocListsEveryAlert() throws Exception {
        Set<String> rules = new TreeSet<>();
        for (JsonNode rule : DeployFiles.rulesOf(DeployFiles.yaml(DeployFiles.rules()).path("groups"))) {
            rules.add(rule.path("alert").asText());
        }
        Set<String> documented = new TreeSet<>();
        Matcher m = ALERT_ROW.matcher(doc());
        while (m.find()) {
            documented.add(m.group(1));
        }

        assertThat(documented).isEqualTo(rules);
    }

    /** The table's rows as {@link Metric} says they are. */
    static List<String> table() {
        List<String> rows = new ArrayList<>();
        rows.add("| Metric | Type | Labels | Meaning |");
        rows.add("|---|---|---|---|");
        for (Metric metric : Metric.values()) {
            rows.add("| `" + metric.metricName() + "` | " + metric.type().name().toLowerCase(Locale.ROOT) + " | "
                    + metric.labels().stream().map(l -> "`" + l + "`").collect(Collectors.joining(", ")) + " | "
                    + metric.help() + " |");
        }
        return rows;
    }

    private static String doc() throws Exception {
        return Files.readString(Path.of(System.getProperty("arca.docs", "../docs"), "metrics.md"));
    }
}

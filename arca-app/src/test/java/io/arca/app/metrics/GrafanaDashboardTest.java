package io.arca.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/grafana/arca-dashboard.json}: every query names only metrics the model emits, and the
 * dashboard shows what it promises per subject. {@code PromtoolIT} checks that each query parses.
 */
class GrafanaDashboardTest {

    @Test
    void everyQueryNamesOnlyMetricsTheModelEmits() throws Exception {
        Set<String> known = DeployFiles.metricNames();
        List<String> queries = queries(dashboard());

        assertThat(queries).hasSizeGreaterThan(10);
        for (String q : queries) {
            assertThat(DeployFiles.arcaNames(q)).as(q).isNotEmpty().isSubsetOf(known);
        }
    }

    @Test
    void itShowsBackupsRunsSizesWalDrillsAndFailuresPerSubject() throws Exception {
        Set<String> named = new TreeSet<>();
        queries(dashboard()).forEach(q -> named.addAll(DeployFiles.arcaNames(q)));

        assertThat(named).contains("arca_backup_newest_timestamp_seconds", "arca_rpo_target_seconds",
                "arca_recovery_point_timestamp_seconds", "arca_job_last_run_success",
                "arca_job_last_success_timestamp_seconds", "arca_job_last_failure_timestamp_seconds",
                "arca_job_runs_total", "arca_backup_newest_bytes", "arca_backup_newest_stored_bytes",
                "arca_repository_bytes", "arca_wal_last_segment_timestamp_seconds", "arca_wal_missing_segments",
                "arca_drill_last_success", "arca_rto_measured_seconds", "arca_rto_target_seconds",
                "arca_metrics_scrape_error");
    }

    @Test
    void everyPanelQueriesThroughTheDataSourceVariable() throws Exception {
        JsonNode d = dashboard();
        assertThat(d.path("uid").asText()).isEqualTo("arca-backups");
        List<String> variables = new ArrayList<>();
        d.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
        assertThat(variables).containsExactly("datasource", "repository", "subject");
        for (JsonNode panel : d.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode t : panel.path("targets")) {
                assertThat(t.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                        .isEqualTo("${datasource}");
                String expr = t.path("expr").asText();
                if (!expr.contains("arca_repository_") && !expr.contains("arca_metrics_")) {
                    assertThat(expr).as(panel.path("title").asText()).contains("subject=~\"$subject\"");
                }
            }
        }
    }

    static JsonNode dashboard() throws Exception {
        return DeployFiles.JSON.readTree(DeployFiles.dashboard().toFile());
    }

    /** Every PromQL text of the dashboard: panel targets and template variable queries. */
    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets").forEach(t -> out.add(t.path("expr").asText()));
            panel.path("panels").forEach(p -> p.path("targets").forEach(t -> out.add(t.path("expr").asText())));
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                out.add(v.path("definition").asText());
            }
        }
        return out;
    }
}

package io.arca.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.app.RunHarness;
import io.arca.app.backup.BackupRequest;
import io.arca.app.backup.BackupResult;
import io.arca.app.backup.BackupService;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules against series shaped exactly like the model's real output: a real backup of a
 * real PostgreSQL database through {@link BackupService} as the scheduler runs it, then the database
 * stops and the next run fails and is recorded; the model's exposition of that repository becomes
 * promtool's input series, and {@code promtool test rules} must see {@code ArcaBackupFailed} fire
 * for it (and the alerts the repository does not warrant stay quiet). Renaming a metric or a label
 * breaks this test.
 *
 * <p>promtool's clock starts at the epoch: the series are given at 0 and at the evaluation time,
 * a minute after now, and the rules are evaluated at those two instants only.
 */
class FailedBackupSeriesIT {
    private static final Pattern LABEL = Pattern.compile("\\{\\{ \\$labels\\.([a-z_]+) }}");

    @TempDir
    Path dir;

    @Test
    void aFailedBackupRunFiresArcaBackupFailedInPromtool() throws Exception {
        Path repo = RunHarness.init(dir.resolve("repo"));
        StorageUrl url = StorageUrl.parse(repo.toString());
        RunHarness runs = new RunHarness();

        ConnectionSettings db;
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults()
                .withMajor(PostgresExtension.DEFAULT_MAJOR).withFastAndUnsafe(true))) {
            cluster.createDatabase("shop");
            cluster.execute("shop", "create table orders (id int primary key)",
                    "insert into orders select generate_series(1, 1000)");
            db = cluster.connectionSettings("shop");
            assertThat(backup(runs, url, db).manifest().size()).isPositive();
        }
        // the database is stopped now: the next scheduled backup fails, and its run is recorded
        assertThatThrownBy(() -> backup(runs, url, db)).isInstanceOf(ArcaException.class)
                .satisfies(e -> assertThat(((ArcaException) e).code()).isEqualTo(ErrorCode.PG_CONNECTION));

        String text;
        try (MetricsModel model = MetricsModel.of(List.of(MetricsTarget.of(url)), Duration.ZERO, Clock.systemUTC())) {
            text = model.scrape();
        }
        Samples samples = Samples.parse(text);
        String repository = MetricsTarget.labelOf(url);
        assertThat(samples.value("arca_job_last_run_success", "subject", "shop", "job_name", "backup")).isZero();
        assertThat(samples.value("arca_job_runs_total", "subject", "shop", "job_name", "backup", "outcome", "failed"))
                .isEqualTo(1);
        assertThat(samples.value("arca_backups", "subject", "shop")).isEqualTo(1);
        assertThat(samples.value("arca_status_problems", "subject", "shop")).as("the failed run, no drill")
                .isEqualTo(2);

        long evalSeconds = Instant.now().getEpochSecond() + 60;
        Path test = dir.resolve("generated-test.yml");
        DeployFiles.YAML.writeValue(test.toFile(), promtoolTest(samples, evalSeconds, Map.of(
                "ArcaBackupFailed", Map.of("repository", repository, "subject", "shop", "job_name", "backup"),
                "ArcaNoRecentDrill", Map.of("repository", repository, "subject", "shop"))));

        Promtool.Result r = Promtool.run(dir, null, "test", "rules", test.toString());

        assertThat(r.exit()).as(r + "\n--- test\n" + Files.readString(test)).isZero();
    }

    /** One backup run of {@code db} for subject {@code shop}, as the scheduler runs it. */
    private static BackupResult backup(RunHarness runs, StorageUrl url, ConnectionSettings db) {
        BackupRequest request = new BackupRequest(List.of(url), "shop", db, null, null, List.of(), Map.of(), null,
                null, null);
        return runs.run(BackupService.job(request), "shop", RunRecord.Trigger.SCHEDULE,
                ctx -> new BackupService(Clock.systemUTC()).run(request, ctx, Progress.NONE));
    }

    /**
     * A promtool test: every sample as a series with its value at 0 and at {@code evalSeconds}, when
     * every alert of the rules is quiet except those in {@code firing} (alert name to its series' labels).
     */
    private static ObjectNode promtoolTest(Samples samples, long evalSeconds, Map<String, Map<String, String>> firing)
            throws Exception {
        String at = evalSeconds + "s";
        ObjectNode doc = DeployFiles.YAML.createObjectNode();
        doc.putArray("rule_files").add(DeployFiles.rules().toString());
        // two evaluations, at 0 and now: alerts with a for: clause cannot fire, and none should
        doc.put("evaluation_interval", at);
        ObjectNode test = doc.putArray("tests").addObject();
        test.put("name", "the series of a repository whose last backup run failed");
        test.put("interval", at);
        ArrayNode series = test.putArray("input_series");
        for (Samples.Sample s : samples.samples()) {
            series.addObject().put("series", s.series()).put("values", s.value() + " " + s.value());
        }
        ArrayNode checks = test.putArray("alert_rule_test");
        for (JsonNode rule : DeployFiles.rulesOf(DeployFiles.yaml(DeployFiles.rules()).path("groups"))) {
            String alert = rule.path("alert").asText();
            ObjectNode check = checks.addObject().put("eval_time", at).put("alertname", alert);
            ArrayNode expected = check.putArray("exp_alerts");
            Map<String, String> labels = firing.get(alert);
            if (labels == null) {
                continue;
            }
            ObjectNode exp = expected.addObject();
            ObjectNode expLabels = exp.putObject("exp_labels");
            labels.forEach(expLabels::put);
            rule.path("labels").fields().forEachRemaining(e -> expLabels.put(e.getKey(), e.getValue().asText()));
            ObjectNode annotations = exp.putObject("exp_annotations");
            rule.path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(),
                    expand(e.getValue().asText(), labels)));
        }
        assertThat(checks.findValues("alertname").stream().map(JsonNode::asText)).containsAll(firing.keySet());
        return doc;
    }

    /** An annotation template that uses only {@code {{ $labels.x }}}, expanded. */
    private static String expand(String template, Map<String, String> labels) {
        Matcher m = LABEL.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(labels.get(m.group(1))));
        }
        m.appendTail(out);
        assertThat(out.toString()).as("an annotation this test can expand").doesNotContain("{{");
        return out.toString();
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code arca config check}: its summary, its errors and its exit codes, in-process. */
class ConfigCheckCommandTest {
    static final String VALID = """
            repositories:
              main: {url: /srv/backups/main}
              offsite: {url: s3://acme-offsite/prod}
            subjects:
              app:
                repositories: [main, offsite]
                database: postgresql://arca@db:5432/app
                sources: {files: [/srv/app/.env]}
                schedules:
                  timezone: America/New_York
                  backup: "15 2 * * *"
                  prune: "0 5 * * SUN"
                  walReceive: true
              billing:
                repositories: [main]
                database: postgresql://arca@db:5432/billing
                schedules: {verify: "*/30 * * * *"}
            notifications:
              - {type: slack, urlEnv: SLACK_URL}
              - {type: webhook, url: 'https://hooks.example.com/a'}
              - {type: webhook, url: 'https://hooks.example.com/b'}
            server: {listen: '0.0.0.0:9300', concurrency: 3}
            """;

    @TempDir
    Path dir;

    @Test
    void aValidFileExits0WithASummary() throws Exception {
        Path file = Files.writeString(dir.resolve("arca.yaml"), VALID);

        ArcaRun r = ArcaRun.of("config", "check", file.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith(file + ": valid\n")
                .contains("repositories: 2\n").containsPattern("main +/srv/backups/main")
                .containsPattern("offsite +s3://acme-offsite/prod")
                .contains("subjects: 2\n").containsPattern("app +postgresql://arca@db:5432/app +main, offsite +files +streamed")
                .contains("scheduled jobs: 3\n")
                .containsPattern("app +backup +15 2 \\* \\* \\* +America/New_York +\\d{4}-\\d\\d-\\d\\d 02:15 -0[45]:00, \\d{4}-\\d\\d-\\d\\d 02:15 -0[45]:00\n")
                .containsPattern("app +prune +0 5 \\* \\* SUN +America/New_York +\\d{4}-\\d\\d-\\d\\d 05:00 -0[45]:00, ")
                .containsPattern("billing +verify +\\*/30 \\* \\* \\* \\* +UTC +\\d{4}-\\d\\d-\\d\\d \\d\\d:[03]0 \\+00:00, ")
                .contains("notifications: slack 1, webhook 2\n")
                .contains("server: listen 0.0.0.0:9300, concurrency 3\n");
    }

    @Test
    void jsonGivesTheSummaryWithTimesInTheirZone() throws Exception {
        Path file = Files.writeString(dir.resolve("arca.yaml"), VALID);

        ArcaRun r = ArcaRun.of("config", "check", file.toString(), "-o", "json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode json = RepositoryJson.mapper().readTree(r.out());
        assertThat(json.get("valid").asBoolean()).isTrue();
        JsonNode backup = json.at("/summary/schedules/0");
        assertThat(backup.get("subject").asText()).isEqualTo("app");
        assertThat(backup.get("job").asText()).isEqualTo("backup");
        assertThat(backup.get("timezone").asText()).isEqualTo("America/New_York");
        assertThat(backup.get("next")).hasSize(2);
        assertThat(backup.get("next").get(0).asText()).matches("\\d{4}-\\d\\d-\\d\\dT02:15:00-0[45]:00");
        assertThat(json.at("/summary/notifications/webhook").asInt()).isEqualTo(2);
    }

    @Test
    void aFileWithErrorsExits2AndListsThemAll() throws Exception {
        Path file = Files.writeString(dir.resolve("arca.yaml"), VALID.replace("backup: \"15 2 * * *\"", "backup: \"15 2 * *\"")
                .replace("[main]", "[mian]").replace("concurrency: 3", "concurrncy: 3"));

        ArcaRun r = ArcaRun.of("config", "check", file.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("error: invalid configuration '" + file + "': 3 errors\n"
                + file + ":11:15: subjects.app.schedules.backup: invalid cron expression '15 2 * *': 4 fields, expected 5"
                + " (minute hour day-of-month month day-of-week)\n"
                + file + ":15:20: subjects.billing.repositories[0]: no repository named 'mian'; repositories: main, offsite\n"
                + file + ":22:34: server.concurrncy: unknown key 'concurrncy'; did you mean 'concurrency'?\n"
                + "hint: fix the lines above; 'arca config check " + file + "' checks the file again\n");

        ArcaRun json = ArcaRun.of("config", "check", file.toString(), "-o", "json");
        assertThat(json.exit()).isEqualTo(2);
        JsonNode errors = RepositoryJson.mapper().readTree(json.out()).get("errors");
        assertThat(errors).hasSize(3);
        assertThat(errors.get(1).get("line").asInt()).isEqualTo(15);
        assertThat(errors.get(1).get("column").asInt()).isEqualTo(20);
        assertThat(errors.get(1).get("path").asText()).isEqualTo("subjects.billing.repositories[0]");
    }

    @Test
    void aMissingFileExits2() {
        ArcaRun r = ArcaRun.of("config", "check", dir.resolve("nope.yaml").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: configuration file '" + dir.resolve("nope.yaml") + "' not found\n"
                + "hint: pass its path (--config FILE) or set ARCA_CONFIG\n");
    }

    @Test
    void configAloneShowsItsUsage() {
        ArcaRun r = ArcaRun.of("config");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: arca config").contains("check");
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * arca.yaml through the packaged jar, with a real environment: {@code arca config check} reads
 * ARCA_CONFIG, ARCA_LISTEN and ARCA_CONCURRENCY; CronJob mode ({@code --config --subject}) backs up
 * a real database into every repository of the subject and prunes with its retention; flags win
 * over ARCA_* variables, which win over the file.
 */
class ConfigCheckIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String database;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() {
        database = PG.createDatabase("app");
        PG.cluster().execute(database, "create table orders as select g as id from generate_series(1, 500) g");
    }

    @Test
    void configCheckReadsTheFileAndOverridesFromTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("arca.yaml"), """
                repositories:
                  main: {url: %s}
                subjects:
                  app:
                    repositories: [main]
                    database: postgresql://arca@db:5432/app
                    schedules: {timezone: Europe/Berlin, backup: "0 2 * * *"}
                server: {listen: '127.0.0.1:9187', concurrency: 1}
                """.formatted(dir.resolve("repo")));

        ArcaRun ok = ArcaProcess.run(Map.of("ARCA_CONFIG", file.toString(), "ARCA_LISTEN", "0.0.0.0:9999",
                "ARCA_CONCURRENCY", "4"), "config", "check");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).startsWith(file + ": valid\n")
                .containsPattern("app +backup +0 2 \\* \\* \\* +Europe/Berlin +\\d{4}-\\d\\d-\\d\\d 02:00 \\+0[12]:00, ")
                .contains("server: listen 0.0.0.0:9999, concurrency 4\n");

        ArcaRun bad = ArcaProcess.run(Map.of("ARCA_CONFIG", file.toString(), "ARCA_CONCURRENCY", "zero"), "config", "check");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("error: invalid configuration '" + file + "': 1 error\n"
                + "env ARCA_CONCURRENCY: server.concurrency: must be a whole number, not 'zero'\n"
                + "hint: fix the lines above; 'arca config check " + file + "' checks the file again\n");

        // the argument wins over ARCA_CONFIG
        ArcaRun missing = ArcaProcess.run(Map.of("ARCA_CONFIG", file.toString()), "config", "check",
                dir.resolve("other.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: configuration file '" + dir.resolve("other.yaml") + "' not found");
    }

    @Test
    void cronJobModeTakesRepositoriesDatabaseAndRetentionFromTheFile() throws Exception {
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        Path file = Files.writeString(dir.resolve("arca.yaml"), """
                repositories:
                  one: {url: %s}
                  two: {url: %s}
                subjects:
                  app:
                    repositories: [one, two]
                    database: postgresql://postgres@127.0.0.1:%d/%s
                    backup:
                      labels: {team: payments}
                    retention: {keepLast: 1}
                  other:
                    repositories: [two]
                    database: postgresql://postgres@127.0.0.1:%d/postgres
                """.formatted(one, two, PG.cluster().port(), database, PG.cluster().port()));
        Map<String, String> env = new HashMap<>(Map.of("PGPASSWORD", PG.cluster().password()));

        run(env, "init", "--config", file.toString(), "--subject", "app");
        String first = id(run(env, "backup", "--config", file.toString(), "--subject", "app", "-o", "json"));
        // fan-out: the backup is in both of the subject's repositories, with the file's label
        JsonNode inTwo = json(run(env, "list", "--repo", two.toString(), "-o", "json"));
        assertThat(inTwo).hasSize(1);
        assertThat(inTwo.get(0).toString()).contains(first).contains("payments");

        // ARCA_CONFIG and ARCA_SUBJECT instead of the flags; the backup is the subject's, not the database's
        Map<String, String> fromEnv = new HashMap<>(env);
        fromEnv.putAll(Map.of("ARCA_CONFIG", file.toString(), "ARCA_SUBJECT", "app"));
        String second = id(run(fromEnv, "backup", "-o", "json"));
        JsonNode both = json(run(env, "list", "--repo", two.toString(), "--subject", "app", "-o", "json"));
        assertThat(both).hasSize(2);

        // keepLast: 1 from the file, in the subject's (first) repository
        run(env, "prune", "--config", file.toString(), "--subject", "app");
        JsonNode inOne = json(run(fromEnv, "list", "-o", "json"));
        assertThat(inOne).hasSize(1);
        assertThat(inOne.get(0).toString()).contains(second).doesNotContain(first);

        // ARCA_REPO wins over the file, and --repo over ARCA_REPO
        Path empty = dir.resolve("empty");
        run(env, "init", "--repo", empty.toString());
        fromEnv.put("ARCA_REPO", empty.toString());
        assertThat(json(run(fromEnv, "list", "-o", "json"))).isEmpty();
        assertThat(json(run(fromEnv, "list", "--repo", two.toString(), "-o", "json"))).hasSize(2);
    }

    @Test
    void aBadFileFailsACommandWithExit2() throws Exception {
        Path file = Files.writeString(dir.resolve("arca.yaml"), """
                repositories:
                  main: {url: /srv/backups}
                subjects:
                  app:
                    repositories: [main]
                    database: postgresql://app@db/app
                    retention: {keep_last: 1}
                """);
        ArcaRun r = ArcaProcess.run(Map.of(), "prune", "--config", file.toString(), "--subject", "app");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains(file + ":7:17: subjects.app.retention.keep_last: unknown key 'keep_last'; did you"
                + " mean 'keepLast'?");
    }

    private static ArcaRun run(Map<String, String> env, String... args) throws Exception {
        ArcaRun r = ArcaProcess.run(env, args);
        assertThat(r.exit()).as(String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    private static String id(ArcaRun backup) throws Exception {
        return json(backup).get("id").asText();
    }

    private static JsonNode json(ArcaRun r) throws Exception {
        return RepositoryJson.mapper().readTree(r.out());
    }
}

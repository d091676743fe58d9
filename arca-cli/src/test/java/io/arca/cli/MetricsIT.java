package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.postgres.manifest.BackupKind;
import io.arca.postgres.manifest.PostgresSection;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arca metrics} on local repositories filled through the repository API: standard output,
 * {@code --textfile} written atomically, {@code --config} naming the repositories, and what happens
 * when a repository cannot be read. The output passes the real {@code promtool check metrics}.
 */
class MetricsIT {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path dir;
    String repo;

    @BeforeEach
    void init() {
        repo = dir.resolve("repo").toString();
        ArcaRun r = ArcaRun.of("init", "--repo", repo);
        assertThat(r.exit()).as(r.toString()).isZero();
        backup("app", Duration.ofHours(2));
        run("backup", "app", Duration.ofHours(2), RunRecord.SUCCEEDED);
        run("backup", "app", Duration.ofMinutes(20), RunRecord.FAILED);
    }

    @Test
    void printsTheMetricsOfARepositoryWithAFailedLastBackup() {
        ArcaRun r = ArcaRun.of("metrics", "--repo", repo);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        String label = "repository=\"file:" + repo + "\"";
        assertThat(r.out()).contains("# TYPE arca_job_last_run_success gauge")
                .contains("arca_job_last_run_success{job_name=\"backup\"," + label + ",subject=\"app\"} 0.0")
                .contains("arca_backups{" + label + ",subject=\"app\"} 1.0")
                .contains("arca_metrics_scrape_error{" + label + "} 0.0")
                .containsPattern("arca_backup_age_seconds\\{" + label.replace("\"", "\\\"") + ",subject=\"app\"} 72\\d\\d");
    }

    @Test
    void textfileIsWrittenAtomicallyReadableByAllAndPassesPromtool() throws Exception {
        Path file = dir.resolve("textfile").resolve("arca.prom");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "old\n");

        ArcaRun r = ArcaRun.of("metrics", "--repo", repo, "--textfile", file.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEmpty();
        String text = Files.readString(file);
        assertThat(text).startsWith("# HELP ").contains("arca_backups{").doesNotContain("old\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .containsExactly("arca.prom");
        }
        assertThat(promtoolCheckMetrics(file)).isEmpty();
    }

    @Test
    void aConfigNamesItsRepositoriesAndGivesObjectives() throws Exception {
        Path config = dir.resolve("arca.yaml");
        Files.writeString(config, """
                repositories:
                  main:
                    url: %s
                subjects:
                  app:
                    repositories: [main]
                    database: postgresql://arca@db/app
                    objectives:
                      rpo: 12h
                  billing:
                    repositories: [main]
                    database: postgresql://arca@db/billing
                """.formatted(repo));

        ArcaRun r = ArcaRun.of("metrics", "--config", config.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("arca_rpo_target_seconds{repository=\"main\",subject=\"app\"} 43200.0")
                .contains("arca_backups{repository=\"main\",subject=\"billing\"} 0.0")
                .doesNotContain("repository=\"file:");
        ArcaRun both = ArcaRun.of("metrics", "--config", config.toString(), "--repo", repo);
        assertThat(both.exit()).as(both.toString()).isEqualTo(2);
        assertThat(both.err()).contains("error: give --repo or --config, not both");
    }

    @Test
    void aRepositoryThatCannotBeReadIsWrittenAsAnErrorAndTheExitCodeSaysSo() throws Exception {
        Path nothing = Files.createDirectories(dir.resolve("not-a-repository"));
        Path file = dir.resolve("arca.prom");

        ArcaRun some = ArcaRun.of("metrics", "--repo", repo, "--repo", nothing.toString(), "--textfile",
                file.toString());

        assertThat(some.exit()).as(some.toString()).isEqualTo(3);
        assertThat(some.err()).contains("error: cannot read 1 of 2 repositories: 'file:" + nothing + "': ")
                .contains("arca_metrics_scrape_error 1");
        assertThat(Files.readString(file)).contains("arca_metrics_scrape_error{repository=\"file:" + nothing + "\"} 1.0")
                .contains("arca_backups{repository=\"file:" + repo + "\",subject=\"app\"} 1.0");

        ArcaRun none = ArcaRun.of("metrics", "--repo", nothing.toString());
        assertThat(none.exit()).as(none.toString()).isEqualTo(10);
        assertThat(none.out()).contains("arca_metrics_scrape_error{repository=\"file:" + nothing + "\"} 1.0");
    }

    @Test
    void badInputExits2AndAnUnwritableTextfileExits1() throws Exception {
        ArcaRun nothing = ArcaRun.of("metrics");
        assertThat(nothing.exit()).as(nothing.toString()).isEqualTo(2);
        assertThat(nothing.err()).contains("no repository given");

        ArcaRun noConfig = ArcaRun.of("metrics", "--config", dir.resolve("missing.yaml").toString());
        assertThat(noConfig.exit()).as(noConfig.toString()).isEqualTo(2);

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                repositories:
                  main:
                    url: %s
                subjects:
                  app:
                    repositories: [offsite]
                    database: postgresql://arca@db/app
                """.formatted(repo));
        ArcaRun badConfig = ArcaRun.of("metrics", "--config", bad.toString());
        assertThat(badConfig.exit()).as(badConfig.toString()).isEqualTo(2);
        assertThat(badConfig.err()).contains("bad.yaml:").contains("offsite");

        Path noSuchDir = dir.resolve("no/such/arca.prom");
        ArcaRun noDir = ArcaRun.of("metrics", "--repo", repo, "--textfile", noSuchDir.toString());
        assertThat(noDir.exit()).as(noDir.toString()).isEqualTo(1);
        assertThat(noDir.err()).contains("cannot write metrics to").contains("code: ARCA-1010");
    }

    @Test
    void helpSaysWhatItWritesAndHowItFails() {
        ArcaRun r = ArcaRun.of("metrics", "--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--repo", "--config", "--textfile", "node-exporter", "arca_metrics_scrape_error",
                "docs/metrics.md");
    }

    // setup: a backup and run records written through the repository API at times before now

    private void backup(String database, Duration ago) {
        try (Storage storage = storage()) {
            Repository r = Repository.open(storage, Clock.fixed(NOW.minus(ago), ZoneOffset.UTC));
            var info = new PostgresSection.DatabaseInfo(database, "db:5432", "15.8", "7300000000000000001", "UTF8", null,
                    null, null, false, List.of(), null);
            BackupManifest m = r.begin().commit(BackupManifest.builder().tool("arca", "test")
                    .part(new io.arca.core.source.BackupPart(PostgresSection.section(BackupKind.LOGICAL, info, null,
                            List.of()), List.of(), null, null)));
            assertThat(m).isNotNull();
        }
    }

    private void run(String job, String subject, Duration ago, String outcome) {
        Instant start = NOW.minus(ago);
        try (Storage storage = storage()) {
            Repository r = Repository.open(storage, Clock.fixed(start, ZoneOffset.UTC));
            boolean ok = RunRecord.SUCCEEDED.equals(outcome);
            r.runs().write(new RunRecord(RunRecord.FORMAT_VERSION, BackupId.generate(start, new Random()).value(), job,
                    subject, "cli", "test", start, start.plusSeconds(30), outcome, ok ? null : "ARCA-1500",
                    ok ? 0 : 14, ok ? null : "cannot connect to postgresql", null, null, null, Map.of()));
        }
    }

    private Storage storage() {
        return Storages.open(StorageUrl.parse(repo));
    }

    /** promtool's complaints about a metrics file (empty when it passes); fails when promtool is missing. */
    private static String promtoolCheckMetrics(Path file) throws Exception {
        Path promtool = null;
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, "promtool"))) {
                promtool = Path.of(d, "promtool");
            }
        }
        assertThat(promtool).as("promtool on PATH: install Prometheus' tools (Debian: apt-get install prometheus;"
                + " .ci/run does this)").isNotNull();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output.strip();
    }
}

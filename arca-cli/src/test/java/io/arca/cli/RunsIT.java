package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.testkit.pg.PostgresExtension;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job history on the command line: {@code arca verify} and {@code arca drill} record their
 * runs (for {@code --subject}, else the backup's subject), {@code arca runs} lists and filters
 * them, and {@code arca status} turns a failed last backup or verify into a missed objective until
 * a later run succeeds.
 */
class RunsIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    static String source;

    @TempDir
    Path dir;
    String repo;
    private int runs;

    @BeforeAll
    static void load() {
        source = PG.createDatabase("appdb");
        PG.cluster().execute(source, "create table a (id int)", "insert into a select generate_series(1, 300)");
    }

    @BeforeEach
    void init() {
        repo = dir.resolve("repo").toString();
        ArcaRun r = ArcaRun.of("init", "--repo", repo);
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void runsAreListedNewestFirstAndFiltered() throws Exception {
        String okBackup = run("backup", "app", Duration.ofHours(3), RunRecord.SUCCEEDED, null);
        String failedBackup = run("backup", "app", Duration.ofHours(2), RunRecord.FAILED,
                "cannot connect to 'db:5432': connection refused");
        String verify = run("verify", "shop", Duration.ofHours(1), RunRecord.SUCCEEDED, null);
        run("prune", "*", Duration.ofDays(10), RunRecord.SUCCEEDED, null);

        ArcaRun all = runs();
        assertThat(all.exit()).as(all.toString()).isZero();
        List<String> lines = all.out().lines().toList();
        assertThat(lines.get(0)).containsPattern(
                "RUN +JOB +SUBJECT +TRIGGER +STARTED +DURATION +OUTCOME +BACKUP +ERROR");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith(verify).containsPattern("verify +shop +schedule .* 30s +succeeded");
        assertThat(lines.get(2)).startsWith(failedBackup)
                .contains("failed").endsWith("ARCA-1500 cannot connect to 'db:5432': connection refused");
        assertThat(lines.get(3)).startsWith(okBackup);

        assertThat(runs("--failed").out()).contains(failedBackup).doesNotContain(okBackup).doesNotContain(verify);
        assertThat(runs("--job", "verify").out()).contains(verify).doesNotContain(okBackup);
        assertThat(runs("--subject", "app").out()).contains(okBackup, failedBackup).doesNotContain(verify);
        assertThat(runs("--since", "30d").out().lines()).as("the prune of 10 days ago too").hasSize(5);
        assertThat(runs("--since", "90m").out()).contains(verify).doesNotContain(failedBackup);

        JsonNode json = JSON.readTree(runs("--failed", "-o", "json").out());
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("runId").asText()).isEqualTo(failedBackup);
        assertThat(json.get(0).get("outcome").asText()).isEqualTo("failed");
        assertThat(json.get(0).get("errorCode").asText()).isEqualTo("ARCA-1500");
        assertThat(json.get(0).get("startedAt").asText()).endsWith("Z");
    }

    @Test
    void badFiltersAreUsageErrorsAndAnEmptyHistorySaysSo() {
        ArcaRun job = runs("--job", "backups");
        assertThat(job.exit()).as(job.toString()).isEqualTo(2);
        assertThat(job.err()).startsWith("error: unknown job 'backups': use one of backup, physical-backup, verify");
        assertThat(runs("--since", "a week").exit()).isEqualTo(2);

        ArcaRun none = runs("--failed");
        assertThat(none.exit()).as(none.toString()).isZero();
        assertThat(none.out()).startsWith("no failed runs since ");
        assertThat(runs("-o", "json").out().trim()).isEqualTo("[ ]");
    }

    @Test
    void aFailedLastBackupIsAProblemOfStatusUntilABackupSucceeds() {
        String backup = backupThroughCli("--label", "subject=app");
        assertThat(ArcaRun.of("drill", "--repo", repo, "--subject", "app").exit()).isZero();
        run("backup", "app", Duration.ofMinutes(30), RunRecord.FAILED, "cannot connect to 'db:5432': connection refused");

        ArcaRun failed = status();
        assertThat(failed.exit()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.out()).containsPattern("app +" + backup + " .* last backup failed at \\S+ \\S+Z: cannot"
                + " connect to 'db:5432': connection refused");
        assertThat(failed.err()).contains("error: recovery objectives missed: 'app': last backup failed at ")
                .contains("see 'arca runs --failed'").contains("code: ARCA-1009");
        JsonNode json = json(ArcaRun.of("status", "--repo", repo, "-o", "json").out());
        assertThat(json.get(0).get("runProblems")).hasSize(1);
        assertThat(json.get(0).get("runs").get("backup").get("lastFailure").get("errorCode").asText())
                .isEqualTo("ARCA-1500");

        run("backup", "app", Duration.ofMinutes(5), RunRecord.SUCCEEDED, null);

        ArcaRun recovered = status();
        assertThat(recovered.exit()).as(recovered.toString()).isZero();
    }

    @Test
    void verifyAndDrillRecordTheirRunsAndAFailedVerifyIsAProblem() throws Exception {
        String backup = backupThroughCli("--label", "subject=app");

        assertThat(ArcaRun.of("verify", "--repo", repo).exit()).isZero();
        ArcaRun drill = ArcaRun.of("drill", "--repo", repo, "-o", "json");
        assertThat(drill.exit()).as(drill.toString()).isZero();
        String drillId = JSON.readTree(drill.out()).get("drillId").asText();

        JsonNode recorded = JSON.readTree(runs("-o", "json").out());
        assertThat(recorded).hasSize(2);
        JsonNode drillRun = recorded.get(0);
        assertThat(drillRun.get("job").asText()).isEqualTo("drill");
        assertThat(drillRun.get("subject").asText()).as("the backup's subject label").isEqualTo("app");
        assertThat(drillRun.get("trigger").asText()).isEqualTo("cli");
        assertThat(drillRun.get("details").get("drillId").asText()).isEqualTo(drillId);
        JsonNode verifyRun = recorded.get(1);
        assertThat(verifyRun.get("job").asText()).isEqualTo("verify");
        assertThat(verifyRun.get("subject").asText()).isEqualTo("app");
        assertThat(verifyRun.get("backupId").asText()).isEqualTo(backup);
        assertThat(verifyRun.get("outcome").asText()).isEqualTo("succeeded");
        assertThat(status().exit()).isZero();

        flipAByte(dumpOf(backup));
        ArcaRun bad = ArcaRun.of("verify", "--repo", repo, "--subject", "app");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(15);

        JsonNode failed = JSON.readTree(runs("--failed", "-o", "json").out());
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("errorCode").asText()).isEqualTo("ARCA-1600");
        assertThat(failed.get(0).get("exitCode").asInt()).isEqualTo(15);
        ArcaRun status = status();
        assertThat(status.exit()).as(status.toString()).isEqualTo(1);
        assertThat(status.err()).contains("'app': last verify failed at ").contains("failed verification");

        ArcaRun all = ArcaRun.of("verify", "--repo", repo, "--all");
        assertThat(all.exit()).isEqualTo(15);
        assertThat(JSON.readTree(runs("--failed", "-o", "json").out()).get(0).get("subject").asText())
                .as("--all without --subject is a run over every backup").isEqualTo("*");
    }

    // setup

    private ArcaRun runs(String... args) {
        return ArcaRun.of(Stream.concat(Stream.of("runs", "--repo", repo), Stream.of(args)).toArray(String[]::new));
    }

    private ArcaRun status() {
        return ArcaRun.of("status", "--repo", repo);
    }

    private String backupThroughCli(String... extra) {
        ArcaRun b = ArcaRun.of(Stream.concat(Stream.of("backup", "--repo", repo, "--db",
                ArcaRun.url(PG.cluster(), source), "--compression", "none", "--output", "json"), Stream.of(extra))
                .toArray(String[]::new));
        assertThat(b.exit()).as(b.toString()).isZero();
        return json(b.out()).get("id").asText();
    }

    /** A run record of {@code job} for {@code subject} that started {@code ago} before now and took 30s; its id. */
    private String run(String job, String subject, Duration ago, String outcome, String message) {
        Instant start = NOW.minus(ago);
        String id = BackupId.generate(start, new Random(++runs)).value();
        boolean ok = RunRecord.SUCCEEDED.equals(outcome);
        try (Storage storage = Storages.open(StorageUrl.parse(repo))) {
            Repository.open(storage, Clock.systemUTC()).runs().write(new RunRecord(RunRecord.FORMAT_VERSION, id, job,
                    subject, "schedule", "test-host", start, start.plusSeconds(30), outcome, ok ? null : "ARCA-1500",
                    ok ? 0 : 14, message, null, null, null, Map.of()));
        }
        return id;
    }

    private Path dumpOf(String backupId) throws Exception {
        try (Stream<Path> files = Files.walk(Path.of(repo, new BackupId(backupId).directory()))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".dump")).findFirst().orElseThrow();
        }
    }

    private static void flipAByte(Path file) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xff);
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}

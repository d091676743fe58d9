package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.testkit.pg.DatabaseFingerprint;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Off-site copies (backup into several repositories, arca copy, verify of every copy), prune with
 * retention rules, and leases between processes, on local repositories against a real cluster.
 */
class OffsiteAndPruneIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String source;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadSource() throws Exception {
        source = PG.createDatabase("offsite");
        try (Connection c = PG.connect(source)) {
            SampleDataset.load(c);
        }
    }

    private Path init(String name) {
        Path repo = dir.resolve(name);
        ArcaRun r = ArcaRun.of("init", "--repo", repo.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        return repo;
    }

    private static String url(String db) {
        return ArcaRun.url(PG.cluster(), db);
    }

    private static ArcaRun run(String... args) {
        return ArcaRun.of(args);
    }

    private static String backup(Path... repos) {
        List<String> args = new ArrayList<>(List.of("backup", "--db", url(source), "-o", "json"));
        for (Path repo : repos) {
            args.addAll(List.of("--repo", repo.toString()));
        }
        ArcaRun r = run(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return LogicalRoundTripIT.json(r.out()).get("id").asText();
    }

    private static List<String> ids(Path repo) {
        ArcaRun r = run("list", "--repo", repo.toString(), "-o", "json");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> ids = new ArrayList<>();
        LogicalRoundTripIT.json(r.out()).forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }

    @Test
    void oneBackupGoesToSeveralRepositoriesAndVerifyChecksEveryCopy() throws Exception {
        Path local = init("local");
        Path offsite = init("offsite");

        String id = backup(local, offsite);

        assertThat(ids(local)).containsExactly(id);
        assertThat(ids(offsite)).containsExactly(id);
        ArcaRun verify = run("verify", "--repo", local.toString(), "--repo", offsite.toString(), "-o", "json");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        JsonNode reports = LogicalRoundTripIT.json(verify.out());
        assertThat(reports).hasSize(2);
        assertThat(reports.get(1).get("repository").asText()).contains("offsite");
        assertThat(reports.get(1).get("reports").get(0).get("backupId").asText()).isEqualTo(id);

        // damage the off-site copy: verify names it and exits 15
        Path artifact;
        try (Stream<Path> files = Files.walk(offsite.resolve("backups"))) {
            artifact = files.filter(p -> p.getFileName().toString().endsWith(".zst")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(artifact);
        bytes[bytes.length / 2] ^= 1;
        Files.write(artifact, bytes);
        ArcaRun bad = run("verify", "--repo", local.toString(), "--repo", offsite.toString());
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(15);
        assertThat(bad.out()).contains("repository file:" + local).contains("repository file:" + offsite);
        assertThat(bad.err()).contains("backup '" + id + "' failed verification");
    }

    @Test
    void initOfSeveralRepositoriesLeavesExistingOnesAsTheyAre() throws Exception {
        Path local = init("local");
        String before = Files.readString(local.resolve("arca.json"));
        Path offsite = dir.resolve("offsite");

        ArcaRun both = run("init", "--repo", local.toString(), "--repo", offsite.toString());

        assertThat(both.exit()).as(both.toString()).isZero();
        assertThat(both.out()).contains("left existing repository").contains("initialized repository");
        assertThat(Files.readString(local.resolve("arca.json"))).isEqualTo(before);
        assertThat(offsite.resolve("arca.json")).exists();
        ArcaRun alone = run("init", "--repo", local.toString());
        assertThat(alone.exit()).as("alone, an existing repository is an error").isEqualTo(1);
        assertThat(alone.err()).contains("a repository already exists");
    }

    @Test
    void aFailingOffsiteRepositoryMakesThePartialExitAndTheFirstCopyStays() throws Exception {
        Path local = init("local");
        Path offsite = init("offsite");
        // the off-site repository loses its backups folder permissions mid-way: simulate with a file where the folder goes
        Files.writeString(offsite.resolve("backups"), "not a folder");

        ArcaRun r = run("backup", "--db", url(source), "--repo", local.toString(), "--repo", offsite.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("is complete in 'file:" + local + "' but not in 'file:" + offsite + "'")
                .contains("arca copy");
        assertThat(ids(local)).hasSize(1);
    }

    @Test
    void copyCopiesVerifiesAndSkipsWhatIsThere() throws Exception {
        Path a = init("a");
        Path b = init("b");
        String first = backup(a);
        String second = backup(a);

        ArcaRun copy = run("copy", first, "--from", a.toString(), "--to", b.toString());
        assertThat(copy.exit()).as(copy.toString()).isZero();
        assertThat(copy.out()).contains("copied " + first);
        assertThat(ids(b)).containsExactly(first);

        ArcaRun all = run("copy", "--all", "--from", a.toString(), "--to", b.toString(), "-o", "json");
        assertThat(all.exit()).as(all.toString()).isZero();
        JsonNode results = LogicalRoundTripIT.json(all.out());
        assertThat(results.get(0).get("backup").asText()).isEqualTo(first);
        assertThat(results.get(0).get("outcome").asText()).isEqualTo("already_present");
        assertThat(results.get(1).get("outcome").asText()).isEqualTo("copied");
        assertThat(ids(b)).containsExactly(second, first);

        // the copy restores like the original
        String target = "copy_target";
        ArcaRun restore = run("restore", second, "--repo", b.toString(), "--to", url(target));
        assertThat(restore.exit()).as(restore.toString()).isZero();
        try (Connection s = PG.connect(source); Connection t = PG.connect(target)) {
            assertThat(DatabaseFingerprint.of(t)).isEqualTo(DatabaseFingerprint.of(s));
        }

        ArcaRun uninitialised = run("copy", first, "--from", a.toString(), "--to", dir.resolve("nowhere").toString());
        assertThat(uninitialised.exit()).as(uninitialised.toString()).isEqualTo(10);
    }

    @Test
    void pruneDryRunListsEveryDecisionAndPruneRemovesOnlyWhatNoRuleKeeps() throws Exception {
        Path repo = init("repo");
        String oldest = backup(repo);
        String middle = backup(repo);
        String newest = backup(repo);
        // an interrupted backup from long ago and one that may still be running
        Path stale = repo.resolve("backups/2020/01/01/20200101T000000Z-0badf00d/db.dump.zst");
        Files.createDirectories(stale.getParent());
        Files.write(stale, new byte[] {1});
        String runningId = ids(repo).get(0).substring(0, 16) + "-0000beef";
        Path running = repo.resolve("backups/" + runningId.substring(0, 4) + "/" + runningId.substring(4, 6) + "/"
                + runningId.substring(6, 8) + "/" + runningId + "/db.dump.zst");
        Files.createDirectories(running.getParent());
        Files.write(running, new byte[] {1});

        ArcaRun none = run("prune", "--repo", repo.toString());
        assertThat(none.exit()).as("no rule, no prune").isEqualTo(2);
        assertThat(none.err()).contains("no retention rule");

        ArcaRun dry = run("prune", "--repo", repo.toString(), "--keep-last", "2", "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).containsPattern("keep +" + newest + ".*newest")
                .containsPattern("keep +" + middle + ".*last 2")
                .containsPattern("remove +" + oldest + ".*matches no rule")
                .containsPattern("remove +20200101T000000Z-0badf00d")
                .containsPattern("keep +" + runningId)
                .contains("would remove 2 of 5 backups");
        assertThat(ids(repo)).containsExactly(newest, middle, oldest);
        assertThat(stale).exists();

        ArcaRun prune = run("prune", "--repo", repo.toString(), "--keep-last", "2", "--save-policy", "-o", "json");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(ids(repo)).containsExactly(newest, middle);
        assertThat(stale.getParent()).doesNotExist();
        assertThat(running).exists();
        assertThat(Files.readString(repo.resolve("arca.json"))).contains("\"keep-last\" : \"2\"");

        // the saved policy applies without flags, and the newest backup is never removed
        backup(repo);
        ArcaRun saved = run("prune", "--repo", repo.toString());
        assertThat(saved.exit()).as(saved.toString()).isZero();
        assertThat(ids(repo)).hasSize(2).doesNotContain(middle);
        ArcaRun restore = run("restore", "latest", "--repo", repo.toString(), "--to", url("after_prune"));
        assertThat(restore.exit()).as(restore.toString()).isZero();
    }

    @Test
    void leasesKeepPruneAndBackupApartAcrossProcesses() throws Exception {
        Path repo = init("repo");
        backup(repo);

        Process backupHolder = LeaseHolder.start(repo.toString(), LeaseMode.SHARED, "backup");
        try {
            ArcaRun prune = run("prune", "--repo", repo.toString(), "--keep-last", "1");
            assertThat(prune.exit()).as(prune.toString()).isEqualTo(11);
            assertThat(prune.err()).contains("is locked by backup by pid " + backupHolder.pid() + " on ")
                    .contains("code: ARCA-1200");
            // a dry run takes no lease
            assertThat(run("prune", "--repo", repo.toString(), "--keep-last", "1", "-n").exit()).isZero();
        } finally {
            backupHolder.destroyForcibly().waitFor();
        }
        // the holder died without releasing: its lease is stale at once on this host
        assertThat(run("prune", "--repo", repo.toString(), "--keep-last", "1").exit()).isZero();

        Process pruneHolder = LeaseHolder.start(repo.toString(), LeaseMode.EXCLUSIVE, "prune");
        try {
            ArcaRun secondPrune = run("prune", "--repo", repo.toString(), "--keep-last", "1");
            assertThat(secondPrune.exit()).as(secondPrune.toString()).isEqualTo(11);
            assertThat(secondPrune.err()).contains("prune by pid " + pruneHolder.pid());
            ArcaRun blockedBackup = run("backup", "--repo", repo.toString(), "--db", url(source));
            assertThat(blockedBackup.exit()).as(blockedBackup.toString()).isEqualTo(11);
            assertThat(ids(repo)).hasSize(1);
        } finally {
            pruneHolder.destroyForcibly().waitFor();
        }
        assertThat(run("backup", "--repo", repo.toString(), "--db", url(source)).exit()).isZero();
        // the backup released its shared lease; the dead prune's stale lease waits for the next prune to take it over
        try (Stream<Path> locks = Files.list(repo.resolve("locks"))) {
            assertThat(locks.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("exclusive.json", "reserve");
        }
        assertThat(run("prune", "--repo", repo.toString(), "--keep-last", "1").exit()).isZero();
        // leases released: only the reserve for a prune on a full repository stays
        try (Stream<Path> locks = Files.list(repo.resolve("locks"))) {
            assertThat(locks.map(p -> p.getFileName().toString())).as("leases released").containsExactly("reserve");
        }
    }
}

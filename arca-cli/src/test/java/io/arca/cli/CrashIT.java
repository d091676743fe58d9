package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.storage.local.LocalFileStorage;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills and signals: what a backup killed with {@code kill -9} leaves (a partial object in the
 * repository's {@code .arca-tmp}, unencrypted dump files in the staging directory) is removed by
 * the next run and by prune; SIGTERM and SIGINT stop {@code pg_dump}, discard the unfinished
 * backup, say so in one line with {@code code: ARCA-1008} and exit with 128 + the signal.
 */
class CrashIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static String db;
    private static String small;

    @BeforeAll
    static void bigDatabase() {
        db = PG.createDatabase("crash");
        // about 100 MB of poorly compressible text: a zstd:19 dump of it runs long enough to be killed
        PG.cluster().execute(db, "create table t as select g as id, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) as v"
                + " from generate_series(1, 1000000) g");
        small = PG.createDatabase("small");
        PG.cluster().execute(small, "create table s as select g as id from generate_series(1, 100) g");
    }

    @Test
    void whatAKilledBackupLeftIsRemovedByPruneAndTheNextRun(@TempDir Path dir) throws Exception {
        Path repo = init(dir);
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path log = dir.resolve("killed.log");
        Process p = ArcaProcess.start(Map.of(), log, "backup", "--repo", repo.toString(), "--db", url(), "--format",
                "directory", "--jobs", "2", "--staging-dir", staging.toString(), "--compression", "zstd:19");
        awaitPendingWrite(p, log, repo);
        assertThat(entries(staging, "arca-dump-")).hasSize(1);
        Path dump = staging.resolve(entries(staging, "arca-dump-").get(0));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dump))).as("private").isEqualTo("rwx------");
        List<ProcessHandle> children = ProcessHandle.of(p.pid()).orElseThrow().descendants().toList();
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        children.forEach(ProcessHandle::destroyForcibly); // kill -9 leaves pg_dump behind; that is not the point here
        assertThat(entries(repo.resolve(LocalFileStorage.TEMP_DIR), "")).as("the kill left a partial object").isNotEmpty();

        ArcaRun prune = ArcaRun.of("prune", "--repo", repo.toString(), "--keep-last", "5");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(entries(repo.resolve(LocalFileStorage.TEMP_DIR), "")).as("partial objects after prune").isEmpty();

        ArcaRun next = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), small),
                "--format", "directory", "--staging-dir", staging.toString());
        assertThat(next.exit()).as(next.toString()).isZero();
        assertThat(entries(staging, "arca-dump-")).as("staging directories after the next run").isEmpty();
    }

    @Test
    void sigtermStopsPgDumpDiscardsTheBackupAndSaysSoInOneLine(@TempDir Path dir) throws Exception {
        signalled(dir, "TERM", 143);
    }

    @Test
    void sigintStopsPgDumpDiscardsTheBackupAndSaysSoInOneLine(@TempDir Path dir) throws Exception {
        signalled(dir, "INT", 130);
    }

    private void signalled(Path dir, String signal, int exit) throws Exception {
        Path repo = init(dir);
        Path log = dir.resolve("signalled.log");
        // a process started from a background job inherits SIGINT ignored (as Maven's forked test JVM
        // may have it); env resets it to the default that an interactive Ctrl-C meets
        List<String> command = new java.util.ArrayList<>(List.of("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", ArcaProcess.jar().toString(),
                "backup", "--repo", repo.toString(), "--db", url(), "--compression", "zstd:19"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitPendingWrite(p, log, repo);
        List<ProcessHandle> children = ProcessHandle.of(p.pid()).orElseThrow().descendants().toList();
        assertThat(children).as("pg_dump runs").isNotEmpty();
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor()).isZero();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s").isTrue();

        String output = Files.readString(log);
        assertThat(p.exitValue()).as(output).isEqualTo(exit);
        List<String> lines = output.lines().filter(l -> l.startsWith("error:") || l.startsWith("code:")
                || l.startsWith("internal") || l.startsWith("hint:")).toList();
        assertThat(lines).as(output).containsExactly(
                "error: interrupted by SIG" + signal + ": stopped the work, its child processes and unfinished files",
                "code: ARCA-1008");
        for (ProcessHandle child : children) {
            assertThat(child.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("pg_dump pid %d", child.pid()).isFalse();
        }
        assertThat(entries(repo.resolve(LocalFileStorage.TEMP_DIR), "")).as("partial objects").isEmpty();
        assertThat(repo.resolve("backups")).as("the unfinished backup is discarded").satisfiesAnyOf(
                b -> assertThat(b).doesNotExist(), b -> assertThat(filesUnder(b)).isEmpty());
        assertThat(Files.list(repo.resolve("locks")).map(f -> f.getFileName().toString()).toList())
                .as("the lease is released").noneMatch(n -> n.endsWith(".json"));
    }

    private static Path init(Path dir) {
        Path repo = dir.resolve("repo");
        ArcaRun init = ArcaRun.of("init", "--repo", repo.toString());
        assertThat(init.exit()).as(init.toString()).isZero();
        return repo;
    }

    private static String url() {
        return ArcaRun.url(PG.cluster(), db);
    }

    /** Waits until the backup wrote a megabyte into an uncommitted repository object. */
    private static void awaitPendingWrite(Process p, Path log, Path repo) throws Exception {
        Path tmp = repo.resolve(LocalFileStorage.TEMP_DIR);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (largest(tmp) < 1_000_000) {
            assertThat(p.isAlive()).as("backup still running; log: %s", Files.exists(log) ? Files.readString(log) : "").isTrue();
            assertThat(System.nanoTime()).as("backup started writing within 90 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static long largest(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.mapToLong(f -> f.toFile().length()).max().orElse(0);
        }
    }

    private static List<String> entries(Path dir, String prefix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
    }

    private static List<Path> filesUnder(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}

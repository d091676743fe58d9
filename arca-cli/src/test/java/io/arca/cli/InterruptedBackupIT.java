package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A backup killed half-way (SIGKILL) is never listed, and the previous latest stays latest. */
class InterruptedBackupIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void killedBackupIsNotListedAndLatestStays(@TempDir Path dir) throws Exception {
        String db = PG.createDatabase("big");
        // About 150 MB of poorly compressible text: long enough to kill the dump in the middle.
        PG.cluster().execute(db, "create table t as select g as id, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) as v"
                + " from generate_series(1, 1500000) g");
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        ArcaRun first = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), db), "-o", "json");
        assertThat(first.exit()).as(first.toString()).isZero();
        String firstId = RepositoryJson.mapper().readTree(first.out()).get("id").asText();

        Path log = dir.resolve("killed.log");
        Process p = ArcaProcess.start(Map.of(), log, "backup", "--repo", repo.toString(), "--db",
                ArcaRun.url(PG.cluster(), db), "--compression", "zstd:19");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (largestPending(repo) < 2_000_000) {
            assertThat(p.isAlive()).as("backup still running; log: %s", Files.exists(log) ? Files.readString(log) : "").isTrue();
            assertThat(System.nanoTime()).as("backup started writing within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        ArcaRun list = ArcaRun.of("list", "--repo", repo.toString(), "-o", "json");
        assertThat(list.exit()).as(list.toString()).isZero();
        JsonNode backups = RepositoryJson.mapper().readTree(list.out());
        assertThat(backups).hasSize(1);
        assertThat(backups.get(0).get("id").asText()).isEqualTo(firstId);
        ArcaRun latest = ArcaRun.of("show", "--repo", repo.toString(), "latest", "-o", "json");
        assertThat(RepositoryJson.mapper().readTree(latest.out()).get("backupId").asText()).isEqualTo(firstId);
        ArcaRun text = ArcaRun.of("list", "--repo", repo.toString());
        assertThat(text.err()).doesNotContain("unreadable");
    }

    /** Size of the biggest file being written but not yet committed. */
    private static long largestPending(Path repo) throws Exception {
        Path tmp = repo.resolve(io.arca.core.storage.local.LocalFileStorage.TEMP_DIR);
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(tmp)) {
            return s.mapToLong(f -> f.toFile().length()).max().orElse(0);
        }
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backup --physical --wal stream} opens its WAL stream (and the temporary slot) after the
 * base backup started, beside it: when that stream cannot start, here because the server allows no
 * replication slots, the backup fails with the server's reason (as soon as it is known, at the
 * next MiB of files) and commits nothing.
 */
class PhysicalWalStreamFailureIT {

    @TempDir
    Path dir;

    @Test
    void aWalStreamThatCannotStartFailsTheBackupAndCommitsNothing() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        try (LocalCluster pg = LocalCluster.start(ClusterOptions.defaults().withMajor(15).withFastAndUnsafe(true)
                .withSetting("max_replication_slots", "0"))) {
            pg.execute("postgres", "create table t as select g, repeat('x', 500) as note from generate_series(1, 100000) g");
            ArcaRun backup = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(pg, "postgres"), "--repo",
                    repo.toString(), "--verbose");
            assertThat(backup.exit()).as(backup.toString()).isNotZero();
            // the base backup started before the slot was asked for, and the slot's refusal is the error
            assertThat(backup.err()).as(backup.toString()).contains("backup started at")
                    .contains("all replication slots are in use").contains("hint: the server says:")
                    .contains("max_replication_slots");

            ArcaRun list = ArcaRun.of("list", "--repo", repo.toString(), "-o", "json");
            assertThat(list.exit()).as(list.toString()).isZero();
            assertThat(list.out().replaceAll("\\s", "")).isEqualTo("[]");
        }
    }
}

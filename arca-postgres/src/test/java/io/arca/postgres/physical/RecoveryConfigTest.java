package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a restore writes into the data directory, and which target directories it refuses. */
class RecoveryConfigTest {

    @Test
    void aRestoredCopyDoesNotArchiveUnlessAsked(@TempDir Path pgdata) throws Exception {
        Files.writeString(pgdata.resolve(RecoveryConfig.AUTO_CONF), "archive_mode = 'on'\narchive_command = 'x'\n");
        RecoveryConfig.write(pgdata, "B1", "fetch %f %p", RecoveryTarget.latest(), "latest", "promote", false,
                Instant.parse("2026-12-07T00:00:00Z"));
        String conf = Files.readString(pgdata.resolve(RecoveryConfig.AUTO_CONF));
        // later lines win in postgresql.auto.conf
        assertThat(conf.substring(conf.lastIndexOf("archive_mode"))).startsWith("archive_mode = 'off'");
        assertThat(pgdata.resolve(RecoveryConfig.RECOVERY_SIGNAL)).exists();
    }

    @Test
    void aFailoverKeepsTheBackupsArchiving(@TempDir Path pgdata) throws Exception {
        Files.writeString(pgdata.resolve(RecoveryConfig.AUTO_CONF), "archive_mode = 'on'\n");
        RecoveryConfig.write(pgdata, "B1", "fetch %f %p", RecoveryTarget.latest(), "latest", "promote", true,
                Instant.parse("2026-12-07T00:00:00Z"));
        String conf = Files.readString(pgdata.resolve(RecoveryConfig.AUTO_CONF));
        assertThat(conf).doesNotContain("archive_mode = 'off'").contains("restore_command = 'fetch %f %p'");
    }

    @Test
    void aTargetWhoseParentIsMissingIsAUsageError(@TempDir Path dir) {
        Path typo = dir.resolve("nonexistent/x/pgdata");
        assertThatThrownBy(() -> PhysicalRestore.requireParent(typo, "--pgdata"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--pgdata '" + typo + "': its parent directory '" + typo.getParent() + "' does not exist");
        assertThat(dir.resolve("nonexistent")).doesNotExist();
        PhysicalRestore.requireParent(dir.resolve("new"), "--pgdata");
        PhysicalRestore.requireParent(dir, "--pgdata");
    }
}

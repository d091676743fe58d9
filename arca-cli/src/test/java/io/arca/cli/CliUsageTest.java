package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors and repository errors that need no PostgreSQL. */
class CliUsageTest {

    @Test
    void unknownOptionIsAUsageError() {
        ArcaRun r = ArcaRun.of("list", "--no-such-option");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: unknown option: '--no-such-option'").contains("hint: see 'arca list --help'");
    }

    @Test
    void missingRepositoryIsAUsageError() {
        ArcaRun r = ArcaRun.of("list", "--repo", "");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("no repository given");
    }

    @Test
    void backupWithoutDatabaseIsAUsageError(@TempDir Path dir) {
        assertThat(ArcaRun.of("init", "--repo", dir.toString()).exit()).isZero();
        ArcaRun r = ArcaRun.of("backup", "--repo", dir.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: missing --db URL").contains("hint: ");
    }

    @Test
    void helpListsTheCommands() {
        ArcaRun r = ArcaRun.of("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("init", "backup", "restore", "list", "show", "verify", "demo");
    }

    @Test
    void uninitialisedRepositoryExits10(@TempDir Path dir) {
        ArcaRun r = ArcaRun.of("list", "--repo", dir.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(10);
        assertThat(r.err()).startsWith("error: no arca repository at 'file:" + dir + "'")
                .contains("hint: create one with 'arca init --repo");
    }

    @Test
    void initTwiceIsRefusedAndListOfEmptyRepositorySaysSo(@TempDir Path dir) {
        assertThat(ArcaRun.of("init", "--repo", dir.toString()).exit()).isZero();
        assertThat(dir.resolve("arca.json")).exists();
        ArcaRun again = ArcaRun.of("init", "--repo", dir.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("a repository already exists at");
        ArcaRun list = ArcaRun.of("list", "--repo", dir.toString(), "--output", "json");
        assertThat(list.exit()).isZero();
        assertThat(list.out().trim()).isEqualTo("[ ]");
    }

    @Test
    void unwritableRepositoryLocationExits13(@TempDir Path dir) throws Exception {
        // A regular file where the repository directory should be: not writable even for root.
        Path blocker = Files.writeString(dir.resolve("blocker"), "x");
        ArcaRun r = ArcaRun.of("init", "--repo", blocker.resolve("repo").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(13);
        assertThat(r.err()).startsWith("error: ").contains("hint: ");
    }

    @Test
    void unknownBackupIdExits1(@TempDir Path dir) {
        assertThat(ArcaRun.of("init", "--repo", dir.toString()).exit()).isZero();
        ArcaRun r = ArcaRun.of("show", "--repo", dir.toString(), "20200101T000000Z-00000000");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("error: no backup '20200101T000000Z-00000000'").contains("hint: list backups with 'arca list'");
        ArcaRun latest = ArcaRun.of("restore", "--repo", dir.toString(), "latest", "--to", "postgresql://x@127.0.0.1:1/y");
        assertThat(latest.exit()).as(latest.toString()).isEqualTo(1);
        // a logical restore takes the newest logical backup
        assertThat(latest.err()).contains("no complete logical backup");
    }
}

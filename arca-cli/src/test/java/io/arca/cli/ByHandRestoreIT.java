package io.arca.cli;

import io.arca.testkit.docs.DocBlocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.crypto.GpgHome;
import io.arca.testkit.pg.DatabaseAssertions;
import io.arca.testkit.pg.DatabaseFingerprint;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the by-hand restore commands of {@code docs/repository-format.md} exactly as written,
 * with only standard tools, against a backup that Arca took: the documented way out works.
 */
class ByHandRestoreIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    static String source;
    static DatabaseFingerprint expected;

    @BeforeAll
    static void loadSource() throws Exception {
        source = PG.createDatabase("handsrc");
        try (Connection c = PG.connect(source)) {
            SampleDataset.load(c);
            expected = DatabaseFingerprint.of(c);
        }
    }

    @Test
    void documentedCommandsRestoreTheBackup(@TempDir Path dir) throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        ArcaRun backup = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), source));
        assertThat(backup.exit()).as(backup.toString()).isZero();

        runDocumented("by-hand-restore", repo, dir, Map.of());
    }

    @Test
    void documentedCommandsRestoreAnEncryptedBackupWithGpg(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("ops");
        assertThat(ArcaRun.of("key", "generate", "--out", key.toString(), "--no-passphrase").exit()).isZero();
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString(), "--encrypt-to", key + ".pub.asc").exit()).isZero();
        ArcaRun backup = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), source),
                "--encrypt-to", key + ".pub.asc");
        assertThat(backup.exit()).as(backup.toString()).isZero();
        try (GpgHome gpg = GpgHome.create()) {
            gpg.importKey(Path.of(key + ".key.asc"), null);
            runDocumented("by-hand-restore-encrypted", repo, dir, Map.of("GNUPGHOME", gpg.home().toString()));
        }
    }

    private static void runDocumented(String marker, Path repo, Path dir, Map<String, String> env) throws Exception {
        String script = DocBlocks.shell(DocBlocks.REPOSITORY_FORMAT, marker);
        String target = PG.createDatabase("handdst");
        Path log = dir.resolve("by-hand.log");
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("REPO", repo.toString());
        pb.environment().put("TARGET", "postgresql://postgres@127.0.0.1:" + PG.cluster().port() + "/" + target);
        pb.environment().put("PGPASSWORD", PG.cluster().password());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("documented commands failed:\n%s", Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains(": OK");
        try (Connection c = PG.connect(target)) {
            DatabaseAssertions.assertSameData(expected, DatabaseFingerprint.of(c));
        }
    }

}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.testkit.pg.DatabaseAssertions;
import io.arca.testkit.pg.DatabaseFingerprint;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;
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

    @Test
    void documentedCommandsRestoreTheBackup(@TempDir Path dir) throws Exception {
        String source = PG.createDatabase("handsrc");
        DatabaseFingerprint expected;
        try (Connection c = PG.connect(source)) {
            SampleDataset.load(c);
            expected = DatabaseFingerprint.of(c);
        }
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        ArcaRun backup = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), source));
        assertThat(backup.exit()).as(backup.toString()).isZero();

        String script = documentedBlock();
        String target = PG.createDatabase("handdst");
        Path log = dir.resolve("by-hand.log");
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script)
                .redirectErrorStream(true).redirectOutput(log.toFile());
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

    /** The first {@code sh} block after the by-hand-restore marker. */
    static String documentedBlock() throws Exception {
        Path doc = Path.of(System.getProperty("arca.docs", "../docs"), "repository-format.md");
        String text = Files.readString(doc);
        int marker = text.indexOf("<!-- by-hand-restore -->");
        assertThat(marker).as("marker in %s", doc).isPositive();
        int start = text.indexOf("```sh\n", marker) + "```sh\n".length();
        int end = text.indexOf("```", start);
        return text.substring(start, end);
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.DatabaseAssertions;
import io.arca.testkit.pg.DatabaseFingerprint;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom-format backups without large objects restore in parallel through one
 * {@code pg_restore -j N} over a directory-format view (TOC rewritten, tables as named pipes fed
 * from the seek points). Same data as the round trip, minus the large objects that keep the phased
 * restore.
 */
class DirectoryViewRestoreIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String source;
    static DatabaseFingerprint expected;

    @BeforeAll
    static void load() throws Exception {
        source = PG.createDatabase("nolo");
        try (Connection c = PG.connect(source); Statement st = c.createStatement()) {
            SampleDataset.load(c);
            st.execute("select lo_unlink(oid) from pg_largeobject_metadata");
            expected = DatabaseFingerprint.of(c);
        }
        assertThat(expected.largeObjects()).isZero();
    }

    private static String backup(Path repo) throws Exception {
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        ArcaRun r = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), source), "-o", "json");
        assertThat(r.exit()).as(r.toString()).isZero();
        return RepositoryJson.mapper().readTree(r.out()).get("id").asText();
    }

    private static DatabaseFingerprint fingerprint(String db) throws Exception {
        try (Connection c = PG.connect(db)) {
            return DatabaseFingerprint.of(c);
        }
    }

    @Test
    void parallelRestoreGivesTheSameDatabase(@TempDir Path dir) throws Exception {
        String id = backup(dir);
        for (int jobs : new int[] {2, 4}) {
            String target = "view_jobs_" + jobs;
            ArcaRun r = ArcaRun.of("restore", "--repo", dir.toString(), id, "--to", ArcaRun.url(PG.cluster(), target),
                    "--jobs", String.valueOf(jobs), "--verbose");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.err()).contains("restoring with one pg_restore --jobs " + jobs + " over a directory view");
            DatabaseAssertions.assertSameData(expected, fingerprint(target));
        }
    }

    @Test
    void selectiveAndCleanRestoresThroughTheView(@TempDir Path dir) throws Exception {
        String id = backup(dir);
        String selective = "view_selective";
        ArcaRun one = ArcaRun.of("restore", "--repo", dir.toString(), id, "--to", ArcaRun.url(PG.cluster(), selective),
                "--table", "lowercase_plain", "--jobs", "2");
        assertThat(one.exit()).as(one.toString()).isZero();
        String name = DatabaseFingerprint.qualify("public", "lowercase_plain");
        assertThat(fingerprint(selective).tables()).containsOnlyKeys(name);
        assertThat(fingerprint(selective).table(name)).isEqualTo(expected.table(name));

        String target = "view_clean";
        for (int round = 0; round < 3; round++) {
            List<String> args = new ArrayList<>(List.of("restore", "--repo", dir.toString(), id, "--to",
                    ArcaRun.url(PG.cluster(), target), "--jobs", "2"));
            if (round > 0) {
                args.addAll(List.of("--clean", "--no-safety-backup", "--confirm-target", target));
            }
            ArcaRun r = ArcaRun.of(args.toArray(String[]::new));
            assertThat(r.exit()).as("round %d: %s", round, r).isZero();
            DatabaseAssertions.assertSameData(expected, fingerprint(target));
        }
    }

    @Test
    void damagedBackupFailsTheParallelRestoreWithExit15(@TempDir Path dir) throws Exception {
        String id = backup(dir);
        Path artifact;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
            artifact = files.filter(p -> p.toString().endsWith(".dump.zst")).findFirst().orElseThrow();
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(artifact);
        bytes[bytes.length / 2] ^= 0x01;
        java.nio.file.Files.write(artifact, bytes);
        ArcaRun r = ArcaRun.of("restore", "--repo", dir.toString(), id, "--to", ArcaRun.url(PG.cluster(), "view_damaged"),
                "--jobs", "2");
        assertThat(r.exit()).as(r.toString()).isEqualTo(15);
        assertThat(r.err()).contains(artifact.getFileName().toString());
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository written by the release before manifest format 2 (a stored fixture: its
 * {@code arca.json}, a full and a {@code --table customers} backup of a database {@code shop}, as
 * that release's {@code arca init} and {@code arca backup} wrote them) lists, verifies, restores
 * and drills with this release, and takes new backups beside the old ones: one series, so
 * retention keeps the newest of them.
 */
class FormatOneRepositoryIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final String FULL = "20261207T170224Z-cac5a425";
    private static final String PARTIAL = "20261207T170230Z-ca1d440d";

    @TempDir
    Path dir;

    @Test
    void listsVerifiesRestoresAndDrillsFormatOneBackups() throws Exception {
        Path repo = copyFixture();

        JsonNode list = LogicalRoundTripIT.json(run("list", "--repo", repo.toString(), "-o", "json").out());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("id").asText()).isEqualTo(PARTIAL);
        assertThat(list.get(0).get("partial").asBoolean()).isTrue();
        assertThat(list.get(1).get("id").asText()).isEqualTo(FULL);
        assertThat(list.get(1).get("kind").asText()).isEqualTo("logical");
        assertThat(list.get(1).get("database").asText()).isEqualTo("shop");
        assertThat(list.get(1).get("sections").get(0).get("subject").asText())
                .isEqualTo("postgresql://127.0.0.1:55439/shop");

        ArcaRun verify = run("verify", "--all", "--repo", repo.toString());
        assertThat(verify.out()).contains("backup " + FULL + " verified").contains("backup " + PARTIAL + " verified")
                .contains("row counts");

        ArcaRun show = run("show", PARTIAL, "--repo", repo.toString());
        assertThat(show.out()).contains("partial     yes: only --table customers");

        String target = "shop_from_v1";
        ArcaRun restore = run("restore", "latest", "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(), target));
        assertThat(restore.out()).contains("restored " + FULL + " into");
        assertThat(count(target, "customers")).isEqualTo(40);
        assertThat(count(target, "orders")).isEqualTo(120);

        ArcaRun drill = run("drill", "latest", "--repo", repo.toString(), "--scratch",
                ArcaRun.url(PG.cluster(), "postgres"));
        assertThat(drill.out()).contains("verdict     PASS").contains("backup      " + FULL);
    }

    @Test
    void newBackupsJoinTheSeriesOfFormatOneBackups() throws Exception {
        Path repo = copyFixture();
        ArcaRun seed = run("restore", FULL, "--repo", repo.toString(), "--to", ArcaRun.url(PG.cluster(), "shop"));
        assertThat(seed.out()).contains("restored");
        ArcaRun backup = run("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), "shop"));
        String id = backup.out().split(" ")[1];

        JsonNode manifest = LogicalRoundTripIT.json(Files.readString(manifestOf(repo, id)));
        assertThat(manifest.get("formatVersion").asInt()).isEqualTo(2);
        assertThat(manifest.get("sections").get(0).get("source").asText()).isEqualTo("postgresql.logical");

        // the new backup (read from another host) and the format 1 ones are one series: keep-last 1 keeps
        // the new one and removes the old full backup
        ArcaRun prune = run("prune", "--keep-last", "1", "--repo", repo.toString(), "-o", "json");
        JsonNode decisions = LogicalRoundTripIT.json(prune.out());
        assertThat(decisions.toString()).contains(FULL);
        assertThat(Files.exists(manifestOf(repo, FULL))).isFalse();
        assertThat(Files.exists(manifestOf(repo, id))).isTrue();
    }

    private ArcaRun run(String... args) {
        ArcaRun r = ArcaRun.of(args);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    private static long count(String database, String table) throws Exception {
        try (Connection c = PG.connect(database); ResultSet rs = c.createStatement()
                .executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Path manifestOf(Path repo, String id) {
        return repo.resolve(new io.arca.core.repo.BackupId(id).directory()).resolve("manifest.json");
    }

    /** The fixture repository, copied (it is changed by the tests). */
    private Path copyFixture() throws IOException, URISyntaxException {
        Path from = Path.of(FormatOneRepositoryIT.class.getResource("/fixtures/v1-repository").toURI());
        Path to = dir.resolve("v1-repository");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    try (InputStream in = Files.newInputStream(p)) {
                        Files.copy(in, target);
                    }
                }
            }
        }
        return to;
    }
}

package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import io.arca.postgres.local.ServerUser;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local repository holds customer rows and password hashes: its objects are created 0600 and
 * its folders 0700 whatever the umask, or as the URL's {@code ?mode=} says; {@code init --owner
 * postgres} gives it to the user whose {@code archive_command} runs {@code wal-push}.
 */
class RepositoryPermissionsIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    Path dir;

    @Test
    void objectsAre0600AndFolders0700AfterInitAndBackup() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        String db = PG.createDatabase("secret");
        PG.cluster().execute(db, "create table customers as select g as id, md5(g::text) as card from generate_series(1, 100) g");
        ArcaRun backup = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), db));
        assertThat(backup.exit()).as(backup.toString()).isZero();
        assertModes(repo, "rw-------", "rwx------");
        assertThat(files(repo)).anyMatch(p -> p.toString().contains("backups/")).anyMatch(p -> p.endsWith("arca.json"));
    }

    @Test
    void aDirectoryMadeBeforeInitBecomesPrivateToo() throws Exception {
        Path repo = Files.createDirectory(dir.resolve("premade"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        assertModes(repo, "rw-------", "rwx------");
    }

    @Test
    void theModeOptionOpensTheRepositoryToAGroup() throws Exception {
        Path repo = dir.resolve("shared");
        String url = "file:" + repo + "?mode=0640";
        assertThat(ArcaRun.of("init", "--repo", url).exit()).isZero();
        String db = PG.createDatabase("shared");
        ArcaRun backup = ArcaRun.of("backup", "--repo", url, "--db", ArcaRun.url(PG.cluster(), db));
        assertThat(backup.exit()).as(backup.toString()).isZero();
        assertModes(repo, "rw-r-----", "rwxr-x---");
        // later runs without the option keep the repository's mode: it follows the root
        ArcaRun again = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), db));
        assertThat(again.exit()).as(again.toString()).isZero();
        assertModes(repo, "rw-r-----", "rwxr-x---");

        ArcaRun bad = ArcaRun.of("init", "--repo", "file:" + dir.resolve("bad") + "?mode=0644x");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).contains("invalid mode '0644x'");
    }

    @Test
    void initOwnerPostgresLetsTheServersArchiveCommandPushWal() throws Exception {
        assertThat(ServerUser.jvmIsRoot()).as("this test runs as root, as the suite does").isTrue();
        Path repo = dir.resolve("archive");
        ArcaRun init = ArcaRun.of("init", "--repo", repo.toString(), "--owner", "postgres");
        assertThat(init.exit()).as(init.toString()).isZero();
        assertThat(Files.getOwner(repo).getName()).isEqualTo("postgres");
        assertThat(files(repo)).allMatch(p -> owner(p).equals("postgres"));
        // postgres may pass through the test's temp folders, never into the repository's neighbours' files
        for (Path p = dir; p.startsWith(System.getProperty("java.io.tmpdir")) && !p.equals(Path.of(System.getProperty("java.io.tmpdir")));
                p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Path tmp = ServerSide.openUp(dir.resolve("tmp"));
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withMajor(15).withFastAndUnsafe(true)
                .withSetting("archive_mode", "on")
                .withSetting("archive_command", ServerSide.arcaCommand(tmp) + " wal-push %p --repo " + repo))) {
            String segment;
            String systemId;
            try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("create table t as select generate_series(1, 1000) id");
                ResultSet rs = s.executeQuery("select pg_walfile_name(pg_switch_wal()),"
                        + " (select system_identifier from pg_control_system())");
                rs.next();
                segment = rs.getString(1);
                systemId = Long.toUnsignedString(rs.getLong(2));
            }
            ServerSide.awaitArchived(repo.resolve("wal").resolve(systemId).resolve(segment.substring(0, 8)), segment);
            try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select failed_count from pg_stat_archiver")) {
                rs.next();
                assertThat(rs.getLong(1)).as("failed archive_command calls").isZero();
            }
        }
        assertModes(repo, "rw-------", "rwx------");
        assertThat(files(repo)).filteredOn(p -> p.toString().contains("/wal/")).isNotEmpty()
                .allMatch(p -> owner(p).equals("postgres"));
    }

    private static void assertModes(Path repo, String file, String folder) throws Exception {
        try (Stream<Path> all = Files.walk(repo)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                assertThat(mode).as("mode of %s", p).isEqualTo(Files.isDirectory(p) ? folder : file);
            }
        }
    }

    private static List<Path> files(Path repo) throws Exception {
        try (Stream<Path> all = Files.walk(repo)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    private static String owner(Path p) {
        try {
            return Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

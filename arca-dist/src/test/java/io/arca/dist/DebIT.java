package io.arca.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package the build made ({@code arca.dist.deb}), installed with {@code dpkg -i} on
 * this machine (the test runs as root, as CI does): {@code arca} on PATH for the {@code postgres}
 * user, its man page, units and CDS archive, {@code archive_command = 'arca wal-push %p'} of a
 * real PostgreSQL 15 cluster, and a clean removal. It refuses to run where an {@code arca} package
 * it did not install is present, and always removes the one it installed.
 */
class DebIT {
    static final String VERSION = System.getProperty("arca.dist.version");
    static final Path PG15 = Path.of("/usr/lib/postgresql/15/bin");

    @TempDir
    Path dir;

    @Test
    void installsRunsAsPostgresArchivesWalAndRemovesCleanly() throws Exception {
        Path deb = Path.of(System.getProperty("arca.dist.deb"));
        assertThat(deb).as("the .deb the build made").isRegularFile();
        String dpkg = Command.require("dpkg", "dpkg");
        Command.require("runuser", "util-linux");
        assertThat(PG15.resolve("initdb")).as("PostgreSQL 15: install the Debian package postgresql-15").isExecutable();
        assertThat(System.getProperty("user.name")).as("dpkg -i needs root (as in CI)").isEqualTo("root");
        assertThat(status()).as("an arca package is installed already; this test installs and removes its own,"
                + " remove it first (dpkg --purge arca)").doesNotContain("install ok installed");

        Command control = Command.run("dpkg-deb", "--field", deb.toString(), "Package", "Version", "Architecture", "Depends");
        assertThat(control.out()).contains("Package: arca", "Version: " + VERSION.replace('-', '~'), "Architecture: amd64");
        String depends = control.out().lines().filter(l -> l.startsWith("Depends:")).findFirst().orElseThrow();

        boolean installed = false;
        try {
            Command install = Command.run(dpkg, "-i", deb.toString());
            installed = true;
            assertThat(install.exit()).as(install.toString()).isZero();
            assertThat(status()).contains("install ok installed");

            assertThat(Files.readSymbolicLink(Path.of("/usr/bin/arca")).toString()).isEqualTo("../lib/arca/bin/arca");
            assertThat(Path.of("/usr/lib/arca/runtime/bin/java")).isExecutable();
            assertThat(Path.of("/usr/lib/arca/lib/arca.jsa")).as("the CDS archive postinst writes").isRegularFile();
            assertThat(Path.of("/usr/share/bash-completion/completions/arca")).isRegularFile();
            for (String unit : List.of("arca-server.service", "arca-backup@.service", "arca-backup@.timer")) {
                assertThat(Path.of("/lib/systemd/system", unit)).isRegularFile();
            }
            assertThat(Command.run("getent", "passwd", "arca").exit()).as("the system user postinst creates").isZero();
            String man = gunzip(Path.of("/usr/share/man/man1/arca.1.gz"));
            assertThat(man).contains(".SH \"NAME\"").contains("arca \\- PostgreSQL backup and recovery");
            assertThat(Path.of("/usr/share/man/man1/arca-wal-push.1.gz")).isRegularFile();

            // as postgres, from PATH: the installed runtime (java.home) with the installed CDS archive
            Command version = Command.run(Map.of("ARCA_JAVA_OPTS", "-XshowSettings:properties -Xlog:class+load=info"), 120,
                    "runuser", "-u", "postgres", "--", "arca", "--version");
            assertThat(version.exit()).as(version.toString()).isZero();
            assertThat(version.out()).contains("arca " + VERSION)
                    .contains("io.arca.cli.Main source: shared objects file (top)");
            assertThat(version.err()).contains("java.home = /usr/lib/arca/runtime");

            dependsCoversTheRuntimeLibraries(depends);
            unitsVerify();
            archiveCommandArchivesWal();

            Command remove = Command.run(dpkg, "-r", "arca");
            assertThat(remove.exit()).as(remove.toString()).isZero();
            assertThat(Path.of("/usr/bin/arca")).doesNotExist();
            assertThat(Files.exists(Path.of("/usr/bin/arca"), LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(Path.of("/usr/lib/arca")).as("nothing left, the CDS archive included").doesNotExist();
            assertThat(Path.of("/usr/share/man/man1/arca.1.gz")).doesNotExist();
            assertThat(Path.of("/lib/systemd/system/arca-server.service")).doesNotExist();
            Command purge = Command.run(dpkg, "--purge", "arca");
            assertThat(purge.exit()).as(purge.toString()).isZero();
            installed = false;
            Command s = Command.run(dpkg, "-s", "arca");
            assertThat(s.exit()).isNotZero();
            assertThat(s.err()).contains("package 'arca' is not installed");
        } finally {
            if (installed) {
                Command.run(dpkg, "--purge", "arca");
            }
        }
    }

    /** Every shared library the runtime's native code loads comes from a package the control file depends on. */
    private static void dependsCoversTheRuntimeLibraries(String depends) throws Exception {
        Set<String> packages = new TreeSet<>();
        List<Path> libraries;
        try (Stream<Path> files = Files.walk(Path.of("/usr/lib/arca/runtime"))) {
            libraries = files.filter(p -> p.toString().endsWith(".so")).toList();
        }
        assertThat(libraries).isNotEmpty();
        for (Path library : libraries) {
            // the runtime's own libraries are found as its launcher finds them
            Command ldd = Command.run(Map.of("LD_LIBRARY_PATH", "/usr/lib/arca/runtime/lib/server:/usr/lib/arca/runtime/lib"),
                    60, "ldd", library.toString());
            assertThat(ldd.out()).as(library + " links only libraries that are there").doesNotContain("not found");
            for (String line : ldd.out().lines().toList()) {
                String[] parts = line.strip().split("\\s+");
                String path = parts.length >= 3 && parts[1].equals("=>") ? parts[2] : parts[0];
                if (!path.startsWith("/") || path.startsWith("/usr/lib/arca/")) {
                    continue; // the vDSO, or the runtime's own libraries
                }
                packages.add(owner(path));
            }
        }
        Set<String> declared = new HashSet<>();
        for (String d : depends.substring("Depends:".length()).split(",")) {
            declared.add(d.strip().split("\\s")[0]);
        }
        assertThat(declared).as("Depends against the libraries the runtime links").containsAll(packages);
    }

    /** The package that has {@code path}, trying it with and without {@code /usr} (merged /usr). */
    private static String owner(String path) throws Exception {
        for (String p : List.of(path, path.startsWith("/usr/") ? path.substring(4) : "/usr" + path)) {
            Command s = Command.run("dpkg", "-S", p);
            if (s.exit() == 0) {
                return s.out().lines().findFirst().orElseThrow().split(":")[0];
            }
        }
        throw new AssertionError("no package has " + path);
    }

    /** systemd's own check of the installed units, with the real /usr/bin/arca. */
    private static void unitsVerify() throws Exception {
        String analyze = Command.require("systemd-analyze", "systemd");
        Command verify = Command.run(analyze, "verify", "--man=no", "arca-server.service", "arca-backup@main.service",
                "arca-backup@main.timer");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out() + verify.err()).as(verify.toString()).isBlank();
    }

    /** A PostgreSQL 15 cluster whose archive_command is the installed arca, run by the postgres user. */
    private void archiveCommandArchivesWal() throws Exception {
        UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        // the test's temp folders open for traversal (never the system temp dir itself)
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        for (Path p = dir.toAbsolutePath().normalize(); p != null && p.startsWith(tmp) && !p.equals(tmp); p = p.getParent()) {
            Set<PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(p));
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
        Path parent = Files.createDirectories(dir.resolve("postgres"));
        Files.setOwner(parent, postgres);
        Path repo = parent.resolve("repo");
        Command init = Command.run(Map.of(), 120, "runuser", "-u", "postgres", "--", "arca", "init", "--repo", repo.toString());
        assertThat(init.exit()).as(init.toString()).isZero();

        ClusterOptions options = ClusterOptions.defaults().withFastAndUnsafe(true).withBinDirectory(PG15)
                .withSetting("archive_mode", "on").withSetting("archive_command", "arca wal-push %p --repo " + repo);
        try (LocalCluster cluster = LocalCluster.start(options)) {
            cluster.execute("postgres", "create table t (id int primary key, note text)",
                    "insert into t select g, repeat('x', 100) from generate_series(1, 10000) g");
            String segment;
            try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                segment = rs.getString(1);
            }
            awaitArchived(cluster, segment);
            try (Stream<Path> files = Files.walk(repo.resolve("wal"))) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .as("the segment in the repository").anyMatch(n -> n.startsWith(segment + "-"));
            }
        }
    }

    /** Polls pg_stat_archiver (at most 120 s) until {@code segment} or a later one is archived. */
    private static void awaitArchived(LocalCluster cluster, String segment) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = null;
        String failed = null;
        while (System.nanoTime() < deadline) {
            try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select last_archived_wal, last_failed_wal from pg_stat_archiver")) {
                rs.next();
                last = rs.getString(1);
                failed = rs.getString(2);
            }
            if (last != null && last.compareTo(segment) >= 0) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("pg_stat_archiver did not report " + segment + " archived within 120 s (last archived "
                + last + ", last failed " + failed + "); server log:\n" + String.join("\n", cluster.logTail(40)));
    }

    private static String status() throws Exception {
        Command s = Command.run("dpkg-query", "-W", "-f=${Status}", "arca");
        return s.exit() == 0 ? s.out() : "not installed";
    }

    private static String gunzip(Path file) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}

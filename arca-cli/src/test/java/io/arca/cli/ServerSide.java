package io.arca.cli;

import io.arca.postgres.local.LocalCluster;
import io.arca.postgres.local.ServerUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What tests need when PostgreSQL runs Arca itself (archive_command, restore_command): the server
 * runs as the {@code postgres} user when the tests run as root, so the repository and Arca's temp
 * directory must be open to it; and servers the tests start on restored data directories.
 */
final class ServerSide {
    private ServerSide() {
    }

    /** Makes {@code root} and everything in it readable and writable by everyone, and its parents in the temp dir traversable. */
    static Path openUp(Path root) throws IOException {
        Files.createDirectories(root);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxrwxrwx" : "rw-rw-rw-"));
            }
        }
        // only folders below the temp dir, never the temp dir itself: setting /tmp to 0755 took its
        // sticky bit and everyone's right to write there (apt, other users' tests)
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        for (Path p = root.toAbsolutePath().normalize().getParent(); p != null && p.startsWith(tmp) && !p.equals(tmp);
                p = p.getParent()) {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms =
                    new java.util.HashSet<>(Files.getPosixFilePermissions(p));
            perms.add(java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE);
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
        return root;
    }

    /**
     * {@code java -Djava.io.tmpdir=TMP -jar arca.jar} for PostgreSQL to run: its own temp directory,
     * since zstd-jni unpacks its library there and the files this (root) JVM unpacked into the shared
     * one are not the postgres user's to overwrite.
     */
    static String arcaCommand(Path tmp) {
        return Path.of(System.getProperty("java.home"), "bin", "java") + " -Djava.io.tmpdir=" + tmp + " -jar "
                + ArcaProcess.jar();
    }

    /** A JDBC connection to a server the test started on {@code port} with the superuser's password. */
    static Connection connect(int port, String password) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", password);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
    }

    /** Stops a server on {@code pgdata} at once, if one runs. */
    static void stopImmediately(Path pgCtl, Path pgdata) throws Exception {
        if (!Files.exists(pgdata.resolve("postmaster.pid"))) {
            return;
        }
        new ProcessBuilder(ServerUser.jvmIsRoot()
                ? new String[] {"runuser", "-u", ServerUser.OS_USER, "--", pgCtl.toString(), "-D", pgdata.toString(), "-m",
                        "immediate", "-w", "stop"}
                : new String[] {pgCtl.toString(), "-D", pgdata.toString(), "-m", "immediate", "-w", "stop"})
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    /**
     * {@code restore --physical latest} into {@code pgdata} with {@code --start}: the server listens
     * on 127.0.0.1:{@code port} only, and its restore_command runs the packaged jar's wal-fetch as
     * the server's user with the temp directory {@code tmp} ({@link #arcaCommand}). {@code more}
     * are further restore options.
     */
    static ArcaRun restoreAndStart(Path repo, Path tmp, Path pgdata, int port, String... more) {
        List<String> args = new ArrayList<>(List.of("restore", "--physical", "latest", "--pgdata", pgdata.toString(),
                "--repo", repo.toString(), "--start", "--start-timeout", "5m",
                "--server-option", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''",
                "--restore-command", arcaCommand(tmp) + " wal-fetch %f %p --repo " + repo));
        args.addAll(List.of(more));
        return ArcaRun.of(args.toArray(String[]::new));
    }

    /** A new directory for a tablespace of {@code cluster}, owned by the server's user. */
    static Path tablespaceDirectory(LocalCluster cluster) throws IOException {
        Path space = Files.createDirectories(cluster.directory().resolve("space"));
        if (ServerUser.jvmIsRoot()) {
            ServerUser.postgres().chown(space);
        }
        return space;
    }

    /** A free TCP port on 127.0.0.1 for a server the test starts. */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits until {@code segment} is in the repository's WAL folder {@code folder} (not by
     * pg_stat_archiver: wal-push archives the other ready segments in the same call and marks them
     * done, so the archiver never names them).
     */
    static void awaitArchived(Path folder, String segment) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.list(folder)) {
                    if (files.anyMatch(p -> p.getFileName().toString().startsWith(segment + "-"))) {
                        return;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(segment + " not archived in " + folder + " within 120 s");
    }
}

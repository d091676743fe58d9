package io.arca.postgres.physical;

import io.arca.postgres.local.LocalCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Setup for the physical-backup tests: real base backups made by {@code pg_basebackup} from a
 * test cluster (with a tablespace), and the programs the tests compare against ({@code tar},
 * {@code pg_verifybackup}).
 */
final class ManifestTestBackups {
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private ManifestTestBackups() {
    }

    /** A tar-format base backup on disk. */
    record Backup(Path directory, Path baseTar, Map<Long, Path> tablespaceTars, Path manifestFile) {
        ServerManifest manifest() {
            return ServerManifest.parse(manifestFile);
        }
    }

    /**
     * Creates a tablespace in a directory below the cluster's (owned by postgres) and returns its
     * oid.
     */
    static long createTablespace(LocalCluster cluster, String name) throws Exception {
        Path location = cluster.directory().resolve("ts-" + name);
        Files.createDirectories(location);
        chownToPostgres(location);
        cluster.execute("postgres", "CREATE TABLESPACE " + name + " LOCATION '" + location + "'");
        try (Connection c = cluster.connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT oid FROM pg_tablespace WHERE spcname = '" + name + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * {@code pg_basebackup -Ft} into a new directory below the cluster's.
     *
     * @param checksums {@code CRC32C}, {@code SHA256}, ...
     * @param wal {@code none} or {@code fetch}
     */
    static Backup basebackup(LocalCluster cluster, String checksums, String wal) throws Exception {
        Path dir = cluster.directory().resolve("backup-" + COUNTER.incrementAndGet());
        run(Map.of("PGPASSWORD", cluster.password()), BIN.resolve("pg_basebackup").toString(),
                "-h", cluster.host(), "-p", Integer.toString(cluster.port()), "-U", cluster.superuser(),
                "-Ft", "-X", wal, "--manifest-checksums=" + checksums, "--checkpoint=fast", "-D", dir.toString());
        Map<Long, Path> tablespaces = new TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.matches("[0-9]+\\.tar")) {
                    tablespaces.put(Long.parseLong(n.substring(0, n.length() - 4)), p);
                }
            }
        }
        return new Backup(dir, dir.resolve("base.tar"), tablespaces, dir.resolve("backup_manifest"));
    }

    /** Runs a program, returns its stdout; fails the test when it exits with other than 0. */
    static String run(Map<String, String> env, String... command) throws Exception {
        Result r = exec(env, command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }

    record Result(int exit, String output) {
    }

    /** Runs a program with stderr merged into stdout. */
    static Result exec(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end");
        }
        return new Result(p.exitValue(), out);
    }

    /** {@code tar -tf}, names normalised as TarEntry names are (no "./", no trailing "/"). */
    static List<String> tarList(Path tar) throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : run(Map.of(), "tar", "-tf", tar.toString()).split("\n")) {
            if (!line.isEmpty()) {
                names.add(TarReader.normalise(line));
            }
        }
        return names;
    }

    /** {@code tar -xf tar -C dir}. */
    static void untar(Path tar, Path dir) throws Exception {
        Files.createDirectories(dir);
        run(Map.of(), "tar", "-xf", tar.toString(), "-C", dir.toString());
    }

    /**
     * Everything below {@code root}: relative path → {@code "dir"}, {@code "link -> target"} or
     * {@code "file <size> <sha256>"}. Symlinks are not followed.
     */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root)) {
                    tree.put(root.relativize(dir).toString(), "dir");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String rel = root.relativize(file).toString();
                if (attrs.isSymbolicLink()) {
                    tree.put(rel, "link -> " + Files.readSymbolicLink(file));
                } else {
                    tree.put(rel, "file " + attrs.size() + " " + sha256(file));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return tree;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void chownToPostgres(Path path) throws IOException {
        UserPrincipal postgres = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(path, postgres);
    }

    /** {@code chown -R postgres:postgres}. */
    static void chownTreeToPostgres(Path root) throws Exception {
        run(Map.of(), "chown", "-R", "postgres:postgres", root.toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package io.arca.files;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test trees: a sample application directory, and a snapshot of a tree to compare two with. */
final class FileTrees {
    /** Whether this JVM runs as root (CI does): then ownership is stored and restored. */
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    /** A fixed past time for every entry, so that a restore that forgot mtimes shows. */
    static final Instant OLD = Instant.parse("2021-03-04T05:06:07Z");

    private FileTrees() {
    }

    /**
     * An application directory {@code app} in {@code dir}: {@code secrets/} (files of several modes,
     * a setuid program, an empty directory, a nested directory, links inside and out, a file owned by
     * other ids when root, a FIFO and a socket, which are left out) and {@code .env}.
     *
     * @return {@code dir/app}
     */
    static Path application(Path dir) throws Exception {
        Path app = Files.createDirectories(dir.resolve("app"));
        Path secrets = Files.createDirectories(app.resolve("secrets"));
        write(secrets.resolve("db.env"), "DB_PASSWORD=hunter2\n", 0600);
        write(secrets.resolve("api.key"), "k".repeat(70_000), 0640);
        write(secrets.resolve("rotate.sh"), "#!/bin/sh\necho rotated\n", 0755);
        write(secrets.resolve("setuid-tool"), "binary", 04750);
        Files.createDirectories(secrets.resolve("empty"));
        Path nested = Files.createDirectories(secrets.resolve("tls/private"));
        write(nested.resolve("server.key"), "-----BEGIN KEY-----\n", 0400);
        write(secrets.resolve("tls/server.crt"), "-----BEGIN CERTIFICATE-----\n", 0644);
        // a name longer than ustar's 100 bytes, and one that is not ASCII
        write(secrets.resolve("tls/" + "very-long-certificate-chain-name-".repeat(4) + ".pem"), "chain\n", 0644);
        write(secrets.resolve("grüße.txt"), "hallo\n", 0644);
        Files.createSymbolicLink(secrets.resolve("current.key"), Path.of("tls/private/server.key"));
        // a link to a file outside the named path: stored as a link, its target never read
        write(dir.resolve("outside.key"), "not part of the backup\n", 0600);
        Files.createSymbolicLink(secrets.resolve("outside.key"), dir.resolve("outside.key"));
        Files.createSymbolicLink(secrets.resolve("dangling"), Path.of("../nowhere/at/all"));
        write(secrets.resolve("owned"), "owned by others\n", 0644);
        if (ROOT) {
            Files.setAttribute(secrets.resolve("owned"), "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(secrets.resolve("owned"), "unix:gid", 5678, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(secrets.resolve("current.key"), "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(nested, "unix:gid", 5678, LinkOption.NOFOLLOW_LINKS);
        }
        Files.setAttribute(secrets.resolve("empty"), "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(nested, "unix:mode", 0750, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(secrets, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
        mkfifo(secrets.resolve("events.fifo"));
        socket(secrets.resolve("agent.sock"));
        write(app.resolve(".env"), "APP_ENV=production\n", 0600);
        ageAll(app);
        return app;
    }

    static void write(Path p, String content, int mode) throws IOException {
        Files.writeString(p, content);
        Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    }

    static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        if (!mk.waitFor(30, TimeUnit.SECONDS) || mk.exitValue() != 0) {
            throw new AssertionError("mkfifo failed; install coreutils");
        }
    }

    static void socket(Path p) throws IOException {
        // bound and closed: the socket file stays
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(p));
        }
    }

    /** Sets every entry's mtime (links' own too) to {@link #OLD}, deepest first. */
    static void ageAll(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = new ArrayList<>(walk.toList());
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            Path p = all.get(i);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                    || Files.isSymbolicLink(p)) {
                // setting times opens the file: never a FIFO, which would wait for a writer
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.from(OLD), null, null);
            }
        }
    }

    /** What a restore must reproduce of one entry. */
    record Item(String type, String mode, int uid, int gid, long mtime, String content) {
    }

    /**
     * Every entry below {@code root} (itself included, as its name), links not followed; sockets
     * and FIFOs left out as a backup leaves them out.
     */
    static Map<String, Item> snapshot(Path root) throws IOException {
        Map<String, Item> items = new TreeMap<>();
        Path base = root.getParent();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                String type;
                String content;
                switch (mode & 0170000) {
                    case 0100000 -> {
                        type = "file";
                        content = sha256(Files.readAllBytes(p));
                    }
                    case 0040000 -> {
                        type = "dir";
                        content = "";
                    }
                    case 0120000 -> {
                        type = "symlink";
                        content = Files.readSymbolicLink(p).toString();
                    }
                    default -> {
                        continue;
                    }
                }
                items.put(base.relativize(p).toString(), new Item(type, Integer.toOctalString(mode & 07777),
                        (Integer) a.get("uid"), (Integer) a.get("gid"),
                        ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000, content));
            }
        }
        return items;
    }

    /** The names of the entries in {@code dir} (not below). */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.arca.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Temporary files and directories that Arca makes for its own work and removes afterwards.
 *
 * <p>Directories made by {@link #createPrivateDirectory} are private ({@code 0700}: they hold
 * unencrypted dump data) and named after the process that made them
 * ({@code arca-dump-<pid>-<random>}). A process killed before it could remove them leaves them
 * behind; the next one that makes such a directory in the same place, and {@code prune}, remove
 * those whose process is gone ({@link #removeStaleDirectories}).
 */
public final class TempFiles {
    /** The prefixes of the temporary directories Arca makes; the stale ones are removed. */
    public static final List<String> PREFIXES = List.of("arca-dump-", "arca-restore-", "arca-list-");

    /** A directory of an older Arca (no pid in its name) not changed for this long is stale. */
    private static final Duration LEGACY_STALE_AFTER = Duration.ofHours(24);
    private static final Pattern NAMED = Pattern.compile("(\\d+)-\\d+");
    private static final Pattern LEGACY = Pattern.compile("-?\\d+");
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();
    private static volatile String host;

    private TempFiles() {
    }

    /**
     * Creates a directory only this user can enter, in {@code parent} (the temp directory when
     * null), named {@code prefix + pid + "-" + random}; first removes the stale directories
     * that killed processes left in {@code parent} (once per process and place). It stays
     * registered until {@link #deleteQuietly} removes it, so that {@link #deleteAllCreated} can
     * remove it when a signal ends the process.
     */
    public static Path createPrivateDirectory(Path parent, String prefix) throws IOException {
        Path in = parent != null ? parent : Path.of(System.getProperty("java.io.tmpdir"));
        if (SWEPT.add(in.toAbsolutePath().normalize())) {
            removeStaleDirectories(in);
        }
        Path dir = Files.createTempDirectory(in, prefix + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        LIVE.add(dir);
        return dir;
    }

    /**
     * Removes the directories named by {@link #PREFIXES} in {@code parent} that belong to no
     * running process: their pid is gone, or now names a process that started after the
     * directory last changed; older unnumbered ones after a day. Best effort.
     *
     * @return how many were removed
     */
    public static int removeStaleDirectories(Path parent) {
        int removed = 0;
        Instant legacyOld = Instant.now().minus(LEGACY_STALE_AFTER);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, "arca-*")) {
            for (Path dir : entries) {
                String name = dir.getFileName().toString();
                String prefix = PREFIXES.stream().filter(name::startsWith).findFirst().orElse(null);
                if (prefix == null) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (!a.isDirectory()) {
                        continue;
                    }
                    String rest = name.substring(prefix.length());
                    Instant changed = a.lastModifiedTime().toInstant();
                    Matcher m = NAMED.matcher(rest);
                    boolean stale = m.matches() ? processGone(Long.parseLong(m.group(1)), changed)
                            : LEGACY.matcher(rest).matches() && changed.isBefore(legacyOld);
                    if (stale) {
                        deleteTree(dir);
                        removed++;
                    }
                } catch (IOException | RuntimeException e) {
                    // another user's, or gone meanwhile: leave it
                }
            }
        } catch (IOException | RuntimeException e) {
            // no such place, or unreadable: nothing to remove
        }
        return removed;
    }

    /** Deletes every directory {@link #createPrivateDirectory} made and nobody deleted yet; for a signal's clean-up. */
    public static void deleteAllCreated() {
        for (Path dir : List.copyOf(LIVE)) {
            deleteQuietly(dir);
        }
    }

    /**
     * True when process {@code pid} of this host cannot be the one that last changed a file at
     * {@code changed}: it is gone, or it started later (the pid was reused).
     */
    public static boolean processGone(long pid, Instant changed) {
        if (pid == ProcessHandle.current().pid()) {
            return false;
        }
        return ProcessHandle.of(pid).map(p -> !p.isAlive()
                || p.info().startInstant().map(started -> started.isAfter(changed.plusSeconds(1))).orElse(false))
                .orElse(true);
    }

    /** This host's name, for telling its processes from other hosts' on a shared file system. */
    public static String hostName() {
        String h = host;
        if (h == null) {
            // the kernel's name first: the same for every user and process of this host
            try {
                h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            } catch (IOException | RuntimeException e) {
                h = System.getenv("HOSTNAME");
            }
            if (h == null || h.isBlank()) {
                try {
                    h = InetAddress.getLocalHost().getHostName();
                } catch (IOException ex) {
                    h = "unknown-host";
                }
            }
            host = h = h.replaceAll("[^A-Za-z0-9.-]", "_");
        }
        return h;
    }

    /**
     * Deletes {@code root} and everything below it, best effort: a leftover temporary file must
     * never hide the outcome of the work it served, so failures are ignored.
     */
    public static void deleteQuietly(Path root) {
        if (root != null) {
            LIVE.remove(root);
        }
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort, see above
        }
    }

    /**
     * Deletes {@code root} and everything below it, symbolic links themselves and never what they
     * point to; fails on the first file that cannot be deleted.
     */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

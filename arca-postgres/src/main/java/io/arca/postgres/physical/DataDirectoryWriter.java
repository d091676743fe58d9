package io.arca.postgres.physical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a PostgreSQL data directory (and its tablespaces) from a base backup's tar streams,
 * checking every file against the backup's {@link ServerManifest} while writing (a {@link
 * ManifestCheck}: the result says whether the written files are the backup's).
 *
 * <h2>Layout</h2>
 * The data directory's tar ({@code prefix ""}) is written into {@code pgdata}; the tar of
 * tablespace {@code <oid>} ({@code prefix "pg_tblspc/<oid>/"}, entries relative to the
 * tablespace directory, e.g. {@code PG_15_202209061/16384/16385}) into the location the caller
 * maps that oid to. A {@code pg_tblspc/<oid>} symlink in the data directory's tar is pointed at
 * the mapped location; a {@code tablespace_map} (which base backups taken with {@code
 * TABLESPACE_MAP} hold instead of those symlinks, and from which PostgreSQL recreates them when
 * it starts) is rewritten by {@link #finish()} to the mapped locations. Directories get mode
 * {@code 0700} and files {@code 0600}, or {@code 0750}/{@code 0640} when the tar says the group
 * may read (a cluster initialised with {@code --allow-group-access}); files keep the tar's
 * modification time. Owner: whoever runs this (the caller changes it when needed).
 *
 * <h2>Safety</h2>
 * Entry names that are absolute or contain {@code ..}, and entries below a symlink that the same
 * tar created, are refused ({@link ErrorCode#VERIFICATION_FAILED}): nothing is written outside the
 * target directories. A data directory holding {@code postmaster.pid} is refused (a server may
 * be running there); without delta the data directory and tablespace locations must be absent or
 * empty ({@link ErrorCode#TARGET_NOT_EMPTY}); with delta a non-empty data directory must hold
 * {@code PG_VERSION} (so a mistyped path is not wiped); tablespace locations inside the data
 * directory are refused.
 *
 * <h2>Delta mode</h2>
 * As pgBackRest's {@code --delta}: a file that exists with the size the tar and the manifest
 * give, and whose content has the manifest's checksum, is kept (the tar's content is still read
 * through the check, so a damaged backup is reported all the same); files the manifest cannot
 * vouch for (no checksum, not in the manifest, or on pg_verifybackup's ignore list such as {@code
 * postgresql.auto.conf}, which {@code pg_basebackup -R} changes) are always rewritten. A file is
 * rewritten by writing {@code <name>.arca-tmp} beside it and renaming it over the old one, so
 * hard-linked copies of the old file (for example from {@code pg_upgrade --link}) are left intact
 * and no reader sees a half-written file. Directories and symlinks are corrected in place.
 * {@link #finish()} then removes everything in the data directory that the backup does not hold
 * -- including the contents of {@code pg_wal} (following a {@code pg_wal} symlink), since old WAL
 * would mislead recovery, and leftovers of interrupted runs -- the same as pgBackRest's delta
 * restore, which removes every file not in the backup's manifest (PostgreSQL recreates what the
 * base backup leaves out on purpose, such as {@code postmaster.opts} and {@code pg_stat_tmp}).
 * In a tablespace location only the version directories the tar holds ({@code PG_15_...}) are
 * cleaned: other entries there may belong to another cluster or major version sharing the
 * directory. Symlinks are removed, never followed, except a directory symlink standing where the
 * backup has a directory (such as {@code pg_wal} on another disk), which is kept and cleaned
 * inside.
 *
 * <h2>Speed and durability</h2>
 * The thread calling {@link #write} reads the tar and checks each file; a {@link
 * ParallelFileWriter} writes the files' content on several threads, with direct I/O where the
 * file system allows it (copying into the page cache was the largest cost of a restore, see
 * there). Files are not synced one by one; {@link
 * #syncAll()} syncs every file of the backup and every directory written to, in parallel, after
 * {@link #finish()}.
 *
 * <p>{@link #write} may run on several threads at once for different tars.
 */
public final class DataDirectoryWriter {
    private static final int BUFFER = 256 * 1024;
    private static final int SYNC_THREADS = 4;
    private static final String TEMP_SUFFIX = ".arca-tmp";
    private static final Pattern TABLESPACE_LINK = Pattern.compile("pg_tblspc/([1-9][0-9]*)");
    private static final String DATA_HINT = "the backup file is damaged or was not made by PostgreSQL; "
            + "run arca verify on the backup, or restore another backup";
    private static final String IO_HINT = "check free space, permissions and that the path is on a writable file system";

    private final Path pgdata;
    private final Map<Long, Path> tablespaces;
    private final ServerManifest manifest;
    private final boolean delta;
    private final ManifestCheck check;
    private final Map<Path, Root> roots = new ConcurrentHashMap<>();
    private final Set<Path> syncFiles = ConcurrentHashMap.newKeySet();
    private final Set<Path> syncDirectories = ConcurrentHashMap.newKeySet();
    private final AtomicLong filesWritten = new AtomicLong();
    private final AtomicLong filesKept = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong filesRemoved = new AtomicLong();

    /**
     * @param pgdata the data directory to write
     * @param tablespaceLocations oid → directory to write that tablespace's tar into
     * @param delta keep matching files and remove what the backup lacks, instead of requiring
     *     empty targets
     * @throws ArcaException TARGET_NOT_EMPTY (see the class comment), FAILURE when {@code pgdata}
     *     holds {@code postmaster.pid}, USAGE for a tablespace location inside {@code pgdata}
     */
    public DataDirectoryWriter(Path pgdata, Map<Long, Path> tablespaceLocations, ServerManifest manifest, boolean delta) {
        this.pgdata = pgdata.toAbsolutePath().normalize();
        Map<Long, Path> ts = new LinkedHashMap<>();
        tablespaceLocations.forEach((oid, p) -> ts.put(oid, p.toAbsolutePath().normalize()));
        this.tablespaces = Collections.unmodifiableMap(ts);
        this.manifest = manifest;
        this.delta = delta;
        this.check = new ManifestCheck(manifest);
        checkTargets();
    }

    /** What was done. */
    public record Result(long filesWritten, long filesKept, long bytesWritten, long filesRemoved,
            ManifestCheck.Result check) {
    }

    /**
     * Writes one tar stream, reading it to its end.
     *
     * @param prefix {@code ""} for the data directory, {@code "pg_tblspc/<oid>/"} for a
     *     tablespace (which must have a location)
     * @throws ArcaException VERIFICATION_FAILED for a corrupt tar or an unsafe entry name,
     *     FAILURE when a file cannot be written (the message names it)
     * @throws IOException when reading {@code tar} fails
     */
    public void write(String prefix, InputStream tar) throws IOException {
        ManifestCheck.requirePrefix(prefix);
        Path rootPath = prefix.isEmpty() ? pgdata : tablespaceLocation(prefix);
        Root root = roots.computeIfAbsent(rootPath, p -> new Root(p, !prefix.isEmpty()));
        synchronized (root) {
            prepareRoot(root);
            String label = prefix.isEmpty() ? "the data directory's tar" : "the tar of '" + prefix + "'";
            TarReader reader = new TarReader(tar, label);
            byte[] buffer = new byte[BUFFER];
            try (ParallelFileWriter files = ParallelFileWriter.forCores()) {
                for (TarEntry e = reader.next(); e != null; e = reader.next()) {
                    String rel = safeName(e, root, label);
                    if (rel.isEmpty()) {
                        continue;
                    }
                    root.remember(rel, e.isDirectory());
                    Path target = root.path.resolve(rel);
                    ensureParent(root, target);
                    switch (e.type()) {
                        case DIRECTORY -> writeDirectory(target, e);
                        case SYMLINK -> {
                            writeSymlink(target, linkTarget(prefix, rel, e.linkTarget()));
                            root.symlinks.add(rel);
                        }
                        case FILE -> writeFile(target, prefix + rel, e, reader.content(), buffer, files);
                    }
                }
                files.await();
            }
        }
    }

    /**
     * After every tar: rewrites {@code tablespace_map} (when present) to the mapped locations,
     * and in delta mode removes what the backup does not hold (see the class comment).
     */
    public Result finish() throws IOException {
        rewriteTablespaceMap();
        if (delta) {
            for (Root root : roots.values()) {
                synchronized (root) {
                    removeExtra(root);
                }
            }
        }
        return new Result(filesWritten.get(), filesKept.get(), bytesWritten.get(), filesRemoved.get(), check.finish());
    }

    /**
     * Syncs every file of the backup (written or kept) and every directory written to, removed
     * from or created, to stable storage: files first, then directories, on a few threads (sync
     * cost is waiting for the device, which queues several requests better than one).
     *
     * @throws ArcaException FAILURE naming the first path that could not be synced
     */
    public void syncAll() {
        List<Path> files = new ArrayList<>(syncFiles);
        List<Path> directories = new ArrayList<>(syncDirectories);
        ExecutorService pool = Executors.newFixedThreadPool(SYNC_THREADS, r -> {
            Thread t = new Thread(r, "arca-sync");
            t.setDaemon(true);
            return t;
        });
        try {
            syncEach(pool, files);
            syncEach(pool, directories);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- targets ----------------------------------------------------------------------------

    private void checkTargets() {
        if (Files.exists(pgdata.resolve("postmaster.pid"), LinkOption.NOFOLLOW_LINKS)) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot restore into '" + pgdata
                    + "': it holds postmaster.pid, so PostgreSQL may be running there",
                    "stop the server first; if none runs there, remove the stale postmaster.pid");
        }
        for (Map.Entry<Long, Path> t : tablespaces.entrySet()) {
            if (t.getValue().startsWith(pgdata)) {
                throw new ArcaException(ErrorCode.USAGE, "the location '" + t.getValue() + "' of tablespace "
                        + t.getKey() + " is inside the data directory '" + pgdata + "'",
                        "map the tablespace to a directory outside the data directory");
            }
        }
        if (!delta) {
            requireEmpty(pgdata, "--delta");
            tablespaces.values().forEach(p -> requireEmpty(p, "--delta"));
        } else if (!isEmptyOrAbsent(pgdata) && !Files.isRegularFile(pgdata.resolve("PG_VERSION"))) {
            throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, "'" + pgdata
                    + "' is not empty and holds no PG_VERSION, so it is not a PostgreSQL data directory to restore over",
                    "check the path; a delta restore removes everything in it that the backup does not hold");
        }
    }

    private static void requireEmpty(Path dir, String option) {
        if (!isEmptyOrAbsent(dir)) {
            throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, "'" + dir + "' is not empty",
                    "restore into an empty directory, or use " + option + " to restore over an existing data directory");
        }
    }

    private static boolean isEmptyOrAbsent(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        } catch (IOException e) {
            throw ioFailure("cannot read the directory '" + dir + "'", e);
        }
    }

    private Path tablespaceLocation(String prefix) {
        long oid = Long.parseLong(prefix.substring("pg_tblspc/".length(), prefix.length() - 1));
        Path p = tablespaces.get(oid);
        if (p == null) {
            throw new ArcaException(ErrorCode.USAGE, "no location given for tablespace " + oid,
                    "map every tablespace of the backup to a directory");
        }
        return p;
    }

    private void prepareRoot(Root root) {
        if (root.prepared) {
            return;
        }
        try {
            if (!Files.exists(root.path)) {
                createDirectories(root.path);
                Files.setPosixFilePermissions(root.path, PosixFilePermissions.fromString("rwx------"));
            } else {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(root.path);
                if (!PosixFilePermissions.fromString("rwxr-x---").containsAll(perms)) {
                    // PostgreSQL refuses a data directory others can read
                    Files.setPosixFilePermissions(root.path, PosixFilePermissions.fromString("rwx------"));
                }
            }
        } catch (IOException e) {
            throw ioFailure("cannot create the directory '" + root.path + "'", e);
        }
        syncDirectories.add(root.path);
        root.prepared = true;
    }

    // ---- entries ----------------------------------------------------------------------------

    /** The entry's relative path, after refusing names that would leave the target directory. */
    private static String safeName(TarEntry e, Root root, String label) {
        String name = e.name();
        if (name.startsWith("/") || name.indexOf('\0') >= 0) {
            throw unsafe(e, label, "an absolute path");
        }
        String rel = ManifestCheck.path("", name);
        for (String part : rel.split("/")) {
            if (part.equals("..")) {
                throw unsafe(e, label, "a '..' component");
            }
        }
        for (int slash = rel.indexOf('/'); slash > 0; slash = rel.indexOf('/', slash + 1)) {
            if (root.symlinks.contains(rel.substring(0, slash))) {
                throw unsafe(e, label, "a path below the symlink '" + rel.substring(0, slash) + "' of the same tar");
            }
        }
        return rel;
    }

    private static ArcaException unsafe(TarEntry e, String label, String what) {
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, label + " holds the entry '" + e.name() + "' with "
                + what + ", which would be written outside the target directory", DATA_HINT);
    }

    private String linkTarget(String prefix, String rel, String target) {
        if (prefix.isEmpty()) {
            Matcher m = TABLESPACE_LINK.matcher(rel);
            if (m.matches()) {
                Path mapped = tablespaces.get(Long.parseLong(m.group(1)));
                if (mapped != null) {
                    return mapped.toString();
                }
            }
        }
        return target;
    }

    private void ensureParent(Root root, Path target) {
        Path parent = target.getParent();
        if (Files.isDirectory(parent)) {
            return;
        }
        try {
            // directories the tar did not list before their contents; delete a file in the way
            Path p = parent;
            List<Path> missing = new ArrayList<>();
            while (!p.equals(root.path) && !Files.isDirectory(p)) {
                missing.add(0, p);
                p = p.getParent();
            }
            for (Path m : missing) {
                if (Files.exists(m, LinkOption.NOFOLLOW_LINKS)) {
                    deleteTree(m);
                }
                Files.createDirectory(m);
                Files.setPosixFilePermissions(m, PosixFilePermissions.fromString("rwx------"));
                syncDirectories.add(m);
                syncDirectories.add(m.getParent());
            }
        } catch (IOException e) {
            throw ioFailure("cannot create the directory '" + parent + "'", e);
        }
    }

    private void writeDirectory(Path target, TarEntry e) {
        Set<PosixFilePermission> perms = directoryPermissions(e.mode());
        try {
            BasicFileAttributes a = attributes(target);
            if (a != null && a.isSymbolicLink() && Files.isDirectory(target)) {
                // a directory moved elsewhere on purpose (pg_wal on another disk): keep the link
                syncDirectories.add(target.toRealPath());
                return;
            }
            if (a != null && !a.isDirectory()) {
                deleteTree(target);
                a = null;
            }
            if (a == null) {
                Files.createDirectory(target);
                syncDirectories.add(target.getParent());
            }
            Files.setPosixFilePermissions(target, perms);
            syncDirectories.add(target);
        } catch (IOException ex) {
            throw ioFailure("cannot create the directory '" + target + "'", ex);
        }
    }

    private void writeSymlink(Path target, String linkTarget) {
        try {
            BasicFileAttributes a = attributes(target);
            if (a != null && a.isSymbolicLink() && Files.readSymbolicLink(target).toString().equals(linkTarget)) {
                return;
            }
            if (a != null) {
                deleteTree(target);
            }
            Files.createSymbolicLink(target, Path.of(linkTarget));
            syncDirectories.add(target.getParent());
        } catch (IOException ex) {
            throw ioFailure("cannot create the symlink '" + target + "' to '" + linkTarget + "'", ex);
        }
    }

    private void writeFile(Path target, String manifestPath, TarEntry e, InputStream content, byte[] buffer,
            ParallelFileWriter files) throws IOException {
        InputStream in = check.track(manifestPath, e.size(), content);
        BasicFileAttributes existing;
        try {
            existing = attributes(target);
            if (existing != null && !existing.isRegularFile()) {
                deleteTree(target);
                existing = null;
            }
        } catch (IOException ex) {
            throw ioFailure("cannot replace '" + target + "'", ex);
        }
        Set<PosixFilePermission> perms = filePermissions(e.mode());
        if (existing != null && delta && unchanged(target, manifestPath, e.size(), existing.size(), buffer)) {
            while (in.read(buffer) >= 0) {
                // the content still goes through the check
            }
            check.entryDone(manifestPath);
            try {
                if (!Files.getPosixFilePermissions(target).equals(perms)) {
                    Files.setPosixFilePermissions(target, perms);
                }
            } catch (IOException ex) {
                throw ioFailure("cannot set the permissions of '" + target + "'", ex);
            }
            filesKept.incrementAndGet();
            syncFiles.add(target);
            return;
        }
        // a file that exists is rewritten beside it and renamed over it (see the class comment)
        boolean replace = existing != null;
        Path out = replace ? target.resolveSibling(target.getFileName() + TEMP_SUFFIX) : target;
        // the content is read (and checksummed) here; other threads write it and then finish the file
        long n = files.write(in, out, replace, () -> {
            try {
                Files.setPosixFilePermissions(out, perms);
                Files.setLastModifiedTime(out, FileTime.from(e.modified()));
                if (replace) {
                    Files.move(out, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException ex) {
                if (replace) {
                    Files.deleteIfExists(out);
                }
                throw ex;
            }
            filesWritten.incrementAndGet();
            syncFiles.add(target);
            syncDirectories.add(target.getParent());
        });
        bytesWritten.addAndGet(n);
        check.entryDone(manifestPath);
    }

    /** Delta: whether the existing file is the manifest's (same size, same checksum). */
    private boolean unchanged(Path target, String manifestPath, long tarSize, long localSize, byte[] buffer) {
        ServerManifest.File m = manifest.file(manifestPath);
        if (m == null || !m.hasChecksum() || ManifestCheck.ignored(manifestPath)
                || m.size() != tarSize || localSize != tarSize) {
            return false;
        }
        ManifestChecksum sum = ManifestChecksum.of(m.checksumAlgorithm());
        try (InputStream local = Files.newInputStream(target, LinkOption.NOFOLLOW_LINKS)) {
            long total = 0;
            for (int n; (n = local.read(buffer)) > 0; ) {
                sum.update(buffer, 0, n);
                total += n;
            }
            return total == m.size() && m.checksum().equals(sum.hex());
        } catch (IOException e) {
            // unreadable: rewrite it (and fail there if it cannot be written either)
            return false;
        }
    }

    private static Set<PosixFilePermission> filePermissions(int mode) {
        return PosixFilePermissions.fromString((mode & 0040) != 0 ? "rw-r-----" : "rw-------");
    }

    private static Set<PosixFilePermission> directoryPermissions(int mode) {
        return PosixFilePermissions.fromString((mode & 0040) != 0 ? "rwxr-x---" : "rwx------");
    }

    // ---- finish -----------------------------------------------------------------------------

    private void rewriteTablespaceMap() {
        Path map = pgdata.resolve("tablespace_map");
        if (tablespaces.isEmpty() || !Files.isRegularFile(map, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            String text = Files.readString(map, StandardCharsets.UTF_8);
            String rewritten = rewriteTablespaceMap(text, tablespaces);
            if (rewritten.equals(text)) {
                return;
            }
            Path tmp = map.resolveSibling("tablespace_map" + TEMP_SUFFIX);
            Files.writeString(tmp, rewritten, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(map));
            Files.move(tmp, map, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncFiles.add(map);
            syncDirectories.add(pgdata);
        } catch (IOException e) {
            throw ioFailure("cannot rewrite '" + map + "'", e);
        }
    }

    /**
     * {@code tablespace_map} with the paths of mapped tablespaces replaced. The file holds one
     * line {@code <oid> <path>} per tablespace; PostgreSQL escapes {@code \\}, newline and
     * carriage return in paths with a backslash and so does this.
     */
    static String rewriteTablespaceMap(String text, Map<Long, Path> locations) {
        StringBuilder out = new StringBuilder();
        StringBuilder record = new StringBuilder();
        boolean backslash = false;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '\n';
            if (!backslash && (c == '\n' || c == '\r')) {
                if (record.length() > 0) {
                    out.append(remap(record.toString(), locations)).append('\n');
                    record.setLength(0);
                }
                continue;
            }
            backslash = !backslash && c == '\\';
            record.append(c);
        }
        return out.toString();
    }

    private static String remap(String record, Map<Long, Path> locations) {
        int space = record.indexOf(' ');
        if (space <= 0) {
            return record;
        }
        Path mapped;
        try {
            mapped = locations.get(Long.parseLong(record.substring(0, space)));
        } catch (NumberFormatException e) {
            return record;
        }
        if (mapped == null) {
            return record;
        }
        StringBuilder b = new StringBuilder(record.substring(0, space + 1));
        for (char c : mapped.toString().toCharArray()) {
            if (c == '\\' || c == '\n' || c == '\r') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    private void removeExtra(Root root) {
        if (!root.tablespace) {
            clean(root.path, "", root);
            return;
        }
        for (String dir : root.directories) {
            if (dir.indexOf('/') < 0) {
                clean(root.path.resolve(dir), dir, root);
            }
        }
    }

    private void clean(Path dir, String rel, Root root) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(children::add);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw ioFailure("cannot read the directory '" + dir + "'", e);
        }
        for (Path child : children) {
            String childRel = rel.isEmpty() ? child.getFileName().toString() : rel + "/" + child.getFileName();
            try {
                if (!root.entries.contains(childRel)) {
                    deleteTree(child);
                    syncDirectories.add(dir);
                } else if (root.directories.contains(childRel) && Files.isDirectory(child)) {
                    clean(child, childRel, root);
                }
            } catch (IOException e) {
                throw ioFailure("cannot remove '" + child + "'", e);
            }
        }
    }

    /** Deletes {@code path} and, if it is a directory (not a link to one), what it holds. */
    private void deleteTree(Path path) throws IOException {
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                filesRemoved.incrementAndGet();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                filesRemoved.incrementAndGet();
                return FileVisitResult.CONTINUE;
            }
        });
    }

    // ---- sync -------------------------------------------------------------------------------

    private static void syncEach(ExecutorService pool, List<Path> paths) {
        List<Future<?>> futures = new ArrayList<>(paths.size());
        for (Path p : paths) {
            futures.add(pool.submit(() -> {
                sync(p);
                return null;
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while syncing the restored files", null, e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ArcaException a) {
                    throw a;
                }
                throw new ArcaException(ErrorCode.FAILURE, "syncing the restored files failed: " + e.getCause(),
                        IO_HINT, e.getCause());
            }
        }
    }

    private static void sync(Path p) {
        try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
            c.force(true);
        } catch (NoSuchFileException e) {
            // removed since (a temporary file, or by the caller): nothing to sync
        } catch (IOException e) {
            throw ioFailure("cannot sync '" + p + "' to disk", e);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void createDirectories(Path dir) throws IOException {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        Files.createDirectories(dir);
        if (existing != null) {
            syncDirectories.add(existing);
        }
    }

    static ArcaException ioFailure(String message, IOException e) {
        return new ArcaException(ErrorCode.FAILURE, message + ": " + describe(e), IO_HINT, e);
    }

    private static String describe(IOException e) {
        String name = e.getClass().getSimpleName();
        return switch (name) {
            case "AccessDeniedException" -> "permission denied";
            case "NoSuchFileException" -> "no such file or directory";
            case "FileAlreadyExistsException" -> "already exists";
            case "DirectoryNotEmptyException" -> "directory not empty";
            default -> e.getMessage() != null ? e.getMessage() : name;
        };
    }

    /** What one target directory received. */
    private static final class Root {
        final Path path;
        final boolean tablespace;
        /** Relative paths the backup holds: every entry and every directory above one. */
        final Set<String> entries = ConcurrentHashMap.newKeySet();
        /** The directories among them (explicit or implied). */
        final Set<String> directories = ConcurrentHashMap.newKeySet();
        /** Symlinks this writer created from the tar: nothing may be written below them. */
        final Set<String> symlinks = ConcurrentHashMap.newKeySet();
        boolean prepared;

        Root(Path path, boolean tablespace) {
            this.path = path;
            this.tablespace = tablespace;
        }

        void remember(String rel, boolean directory) {
            entries.add(rel);
            if (directory) {
                directories.add(rel);
            }
            for (int slash = rel.lastIndexOf('/'); slash > 0; slash = rel.lastIndexOf('/', slash - 1)) {
                String parent = rel.substring(0, slash);
                directories.add(parent);
                if (!entries.add(parent)) {
                    break;
                }
            }
        }
    }
}

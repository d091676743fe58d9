package io.arca.core.storage.local;

import io.arca.core.error.UsageException;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageFullException;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Storage} in a directory of a local (or mounted) filesystem. Each key is the file at the
 * same relative path under the root, so a repository stays readable with plain shell tools.
 *
 * <p>A write goes to a new file in the hidden directory {@value #TEMP_DIR} under the root, is
 * fsynced, and is published by an atomic rename (overwrite) or by a hard link (if-absent:
 * {@code link(2)} fails when the target exists, so the check and the publish are one step). The
 * parent directory, and every directory the commit created, is fsynced as well, so a commit
 * survives power loss. Opening a store never creates its root; the first write does.
 *
 * <p>Limits that come from using a filesystem:
 * <ul>
 *   <li>keys whose first segment is {@value #TEMP_DIR} are reserved and rejected with
 *       {@link IllegalArgumentException};
 *   <li>a key cannot be both an object and the folder of other keys ({@code a} and {@code a/b}):
 *       the later commit fails with {@link StorageAccessException}. Arca's repository layout
 *       never needs both;
 *   <li>where the filesystem refuses hard links, if-absent commits fall back to
 *       check-then-rename and {@link StorageFeature#ATOMIC_IF_ABSENT} is no longer declared;
 *   <li>temporary files of a process that died mid-write stay in {@value #TEMP_DIR} until the
 *       next process writes: each temporary file is named {@code <uuid>.<pid>.<host>.tmp}, and the
 *       first write of a store removes those of this host whose process is gone, and any not
 *       written to for {@link #STALE_AFTER} (from other hosts of a shared mount, or older names).
 * </ul>
 *
 * <h2>Permissions</h2>
 * Objects and folders get the repository's mode: the {@code mode} URL option
 * ({@code file:/srv/repo?mode=0640}) when given, else the root directory's own permissions (files
 * without the execute bits), else, for a root this store creates, {@code 0600} for objects and
 * {@code 0700} for folders. The umask can only remove bits. A repository holds customer rows and
 * password hashes: by default nobody but its owner reads it.
 */
public final class LocalFileStorage implements Storage {

    /** The directory under the root that holds uncommitted writes. */
    public static final String TEMP_DIR = ".arca-tmp";

    /** A temporary file not written to for this long belongs to no running write. */
    public static final Duration STALE_AFTER = Duration.ofHours(24);

    /** The URL option that sets the mode of objects ({@code ?mode=0640}). */
    public static final String MODE_OPTION = "mode";

    private static final Set<PosixFilePermission> DEFAULT_FILE_MODE = PosixFilePermissions.fromString("rw-------");

    /** Publishing races with {@link #delete} removing empty parents; this bounds the retries. */
    private static final int PUBLISH_ATTEMPTS = 10;

    private final StorageUrl url;
    private final Path root;
    private final Path tempDir;
    private final Set<PosixFilePermission> explicitMode;
    private final boolean posix;
    private final AtomicBoolean swept = new AtomicBoolean();
    private volatile boolean linksSupported = true;
    private volatile boolean closed;
    private volatile Modes modes;

    /** A store rooted at {@code url.filePath()}. */
    public LocalFileStorage(StorageUrl url) {
        this.url = Objects.requireNonNull(url, "url");
        this.root = url.filePath().toAbsolutePath().normalize();
        this.tempDir = root.resolve(TEMP_DIR);
        this.explicitMode = parseMode(url.parameters(Set.of(MODE_OPTION)).get(MODE_OPTION));
        this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** A store rooted at {@code root}. */
    public LocalFileStorage(Path root) {
        this(new StorageUrl("file", "", root.toAbsolutePath().normalize().toString(), ""));
    }

    /** The directory that holds the objects. */
    public Path root() {
        return root;
    }

    /** The permissions of new objects: see the class comment. */
    public Set<PosixFilePermission> fileMode() {
        return modes().file();
    }

    /** The permissions of new folders: the objects' mode with execute wherever it can read. */
    public Set<PosixFilePermission> folderMode() {
        return modes().folder();
    }

    /**
     * Removes the temporary files of writes that no process finishes any more (see the class
     * comment); the first write of each store does this by itself. Best effort.
     *
     * @return how many files were removed
     */
    public int removeStaleTemporaryFiles() {
        return StaleTemporaryFiles.remove(tempDir, STALE_AFTER);
    }

    /**
     * The mode given as {@code ?mode=}, in octal ({@code 0640}); null when not given.
     *
     * @throws UsageException when it is not an octal mode its owner can read and write
     */
    static Set<PosixFilePermission> parseMode(String text) {
        if (text == null) {
            return null;
        }
        if (!text.matches("0?[0-7]{3}")) {
            throw new UsageException("invalid " + MODE_OPTION + " '" + text
                    + "' in a file: repository URL: give an octal file mode such as 0600 or 0640",
                    "objects are created with this mode, folders with execute added where it can read", null);
        }
        int bits = Integer.parseInt(text, 8);
        if ((bits & 0600) != 0600 || (bits & 0111) != 0) {
            throw new UsageException("invalid " + MODE_OPTION + " '" + text
                    + "': the owner must read and write objects, and nobody executes them",
                    "use 0600 (the default) or 0640 for a group that reads the repository", null);
        }
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE};
        for (int i = 0; i < 9; i++) {
            if ((bits & (0400 >> i)) != 0) {
                result.add(order[i]);
            }
        }
        return Collections.unmodifiableSet(result);
    }

    /** The folder mode a new root gets: from the {@code mode} option, else {@code 0700}. */
    Set<PosixFilePermission> folderModeForNewRoot() {
        return Modes.of(explicitMode != null ? explicitMode : DEFAULT_FILE_MODE).folder();
    }

    /** The modes of new objects and folders. */
    private record Modes(Set<PosixFilePermission> file, Set<PosixFilePermission> folder) {
        static Modes of(Set<PosixFilePermission> file) {
            Set<PosixFilePermission> f = EnumSet.noneOf(PosixFilePermission.class);
            f.addAll(file);
            f.removeAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
            Set<PosixFilePermission> d = EnumSet.copyOf(f);
            d.add(PosixFilePermission.OWNER_EXECUTE);
            if (f.contains(PosixFilePermission.GROUP_READ)) {
                d.add(PosixFilePermission.GROUP_EXECUTE);
            }
            if (f.contains(PosixFilePermission.OTHERS_READ)) {
                d.add(PosixFilePermission.OTHERS_EXECUTE);
            }
            return new Modes(Collections.unmodifiableSet(f), Collections.unmodifiableSet(d));
        }
    }

    /** Decided at the first use: the root may not exist before the first write creates it. */
    private Modes modes() {
        Modes m = modes;
        if (m != null) {
            return m;
        }
        if (explicitMode != null) {
            m = Modes.of(explicitMode);
        } else if (posix && Files.isDirectory(root)) {
            try {
                m = Modes.of(Files.getPosixFilePermissions(root));
            } catch (IOException | UnsupportedOperationException e) {
                m = Modes.of(DEFAULT_FILE_MODE);
            }
        } else {
            m = Modes.of(DEFAULT_FILE_MODE);
        }
        modes = m;
        return m;
    }

    @Override
    public StorageUrl url() {
        return url;
    }

    @Override
    public Set<StorageFeature> features() {
        EnumSet<StorageFeature> features = EnumSet.of(
                StorageFeature.RANGED_READ, StorageFeature.DURABLE_COMMIT, StorageFeature.CONSISTENT_LIST);
        if (linksSupported) {
            features.add(StorageFeature.ATOMIC_IF_ABSENT);
        }
        return Collections.unmodifiableSet(features);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Path file = resolve(key);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.isRegularFile() ? Optional.of(info(key, attributes)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (underObject(file)) {
                return Optional.empty();
            }
            throw failure("stat", key, file, e);
        }
    }

    @Override
    public InputStream openRead(String key, ReadRange range) {
        Objects.requireNonNull(range, "range");
        Path file = resolve(key);
        FileChannel channel = null;
        try {
            // a directory opens fine on Linux, but it is a folder of keys, not an object
            if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
                throw notFound(key);
            }
            channel = FileChannel.open(file, StandardOpenOption.READ);
            long size = channel.size();
            long start = range.offset();
            long available = start >= size ? 0 : size - start;
            long length = range.length() == ReadRange.TO_END ? available : Math.min(range.length(), available);
            if (length == 0) {
                channel.close();
                return InputStream.nullInputStream();
            }
            return new RangeInputStream(this, key, channel, start, length);
        } catch (IOException e) {
            closeQuietly(channel);
            if (e instanceof NoSuchFileException || underObject(file)) {
                throw notFound(key);
            }
            throw failure("read", key, file, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public StorageWriter openWrite(String key, WriteOptions options) {
        Objects.requireNonNull(options, "options");
        Path target = resolve(key);
        Path temp = tempDir.resolve(StaleTemporaryFiles.newName());
        if (swept.compareAndSet(false, true)) {
            removeStaleTemporaryFiles();
        }
        try {
            ensureDirectory(tempDir);
            FileChannel channel = posix
                    ? FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(modes().file()))
                    : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new LocalFileWriter(this, key, target, temp, channel, options.mode());
        } catch (IOException e) {
            throw failure("write", key, tempDir, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        checkPrefix(prefix);
        ensureOpen();
        Path realRoot;
        try {
            // the root itself may be a symbolic link, which a walk would not enter
            realRoot = root.toRealPath();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw failure("list", prefix, root, e);
        }
        if (!Files.isDirectory(realRoot)) {
            throw notADirectory("list", prefix);
        }
        int slash = prefix.lastIndexOf('/');
        // only the prefix's directory part can hold matches ("a/b" matches "a/b1" and "a/bc/x")
        String folder = slash < 0 ? "" : prefix.substring(0, slash);
        Path start = realRoot.resolve(folder);
        Path realTemp = realRoot.resolve(TEMP_DIR);
        List<ObjectInfo> found = new ArrayList<>();
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    if (dir.equals(realTemp)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (dir.equals(realRoot)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String dirKey = keyOf(realRoot, dir) + "/";
                    return dirKey.startsWith(prefix) || prefix.startsWith(dirKey)
                            ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    BasicFileAttributes target = attributes;
                    if (attributes.isSymbolicLink()) {
                        try {
                            target = Files.readAttributes(file, BasicFileAttributes.class);
                        } catch (NoSuchFileException e) {
                            return FileVisitResult.CONTINUE;
                        }
                    }
                    String key = keyOf(realRoot, file);
                    if (target.isRegularFile() && key.startsWith(prefix)) {
                        found.add(info(key, target));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    // gone since the directory was read (a concurrent delete), or the prefix's
                    // directory part runs through an object
                    if (e instanceof NoSuchFileException || (file.equals(start) && underObject(root.resolve(folder)))) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw failure("list", prefix, start, e);
        }
        found.sort(Comparator.comparing(ObjectInfo::key, Storage::compareKeys));
        return found;
    }

    @Override
    public void delete(String key) {
        Path file = resolve(key);
        try {
            BasicFileAttributes attributes =
                    Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isDirectory()) {
                return;
            }
            Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            if (underObject(file)) {
                return;
            }
            throw failure("delete", key, file, e);
        }
        removeEmptyParents(file);
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "LocalFileStorage[" + url + "]";
    }

    /**
     * Moves a finished, fsynced temporary file to its key and returns what was stored; deletes
     * the temporary file whatever happens.
     */
    ObjectInfo publish(String key, Path temp, Path target, WriteOptions.Mode mode) {
        try {
            BasicFileAttributes attributes = attributes(key, temp);
            for (int attempt = 1; ; attempt++) {
                try {
                    ensureDirectory(target.getParent());
                    if (mode == WriteOptions.Mode.IF_ABSENT) {
                        publishIfAbsent(key, temp, target);
                    } else {
                        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                    }
                    break;
                } catch (NoSuchFileException e) {
                    // a concurrent delete removed the empty parent between mkdir and rename
                    if (attempt == PUBLISH_ATTEMPTS || !Files.exists(temp)) {
                        throw new StorageTransientException("cannot commit '" + key + "' in '" + root + "': "
                                + reason(e), e);
                    }
                } catch (IOException e) {
                    throw failure("commit", key, target, e);
                }
            }
            try {
                fsyncDirectory(target.getParent());
            } catch (IOException e) {
                // published but perhaps not durable: the contract says "unknown", which is transient
                throw new StorageTransientException("cannot make '" + key + "' durable in '" + root + "': "
                        + reason(e), e);
            }
            return new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant());
        } finally {
            deleteQuietly(temp);
        }
    }

    private void publishIfAbsent(String key, Path temp, Path target) throws IOException {
        if (linksSupported) {
            try {
                Files.createLink(target, temp);
                return;
            } catch (FileAlreadyExistsException e) {
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
                throw alreadyExists(key, e);
            } catch (UnsupportedOperationException e) {
                linksSupported = false;
            } catch (NoSuchFileException | AccessDeniedException e) {
                throw e;
            } catch (FileSystemException e) {
                // Filesystems without hard links (FAT, some network mounts) fail with EPERM, whose
                // message may be localised: decide by whether a rename works instead.
                publishByCheckAndRename(key, temp, target);
                linksSupported = false;
                return;
            }
        }
        publishByCheckAndRename(key, temp, target);
    }

    private void publishByCheckAndRename(String key, Path temp, Path target) throws IOException {
        // best effort only: another writer may publish between the check and the rename
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw alreadyExists(key, null);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Creates {@code dir} and missing parents, fsyncing each parent that gained an entry. */
    private void ensureDirectory(Path dir) throws IOException {
        ensureOpen();
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            ensureDirectory(parent);
        }
        try {
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(modes().folder()));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (Files.isDirectory(dir)) {
                return;
            }
            if (Files.isRegularFile(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw e; // a file where a folder must be: a real conflict
            }
            // Made by another writer, removed by a delete, perhaps made again since: the caller retries.
            throw new NoSuchFileException(dir.toString());
        }
        if (parent != null) {
            fsyncDirectory(parent);
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Removes directories that the deletion left empty, up to (not including) the root. */
    private void removeEmptyParents(Path file) {
        for (Path dir = file.getParent(); dir != null && dir.startsWith(root) && !dir.equals(root);
                dir = dir.getParent()) {
            try {
                Files.delete(dir);
            } catch (NoSuchFileException e) {
                // another delete got there first; its parent may be empty now
            } catch (IOException e) {
                // not empty (the usual case) or not ours to remove: both end the walk
                return;
            }
        }
    }

    private BasicFileAttributes attributes(String key, Path temp) {
        try {
            return Files.readAttributes(temp, BasicFileAttributes.class);
        } catch (IOException e) {
            throw failure("commit", key, temp, e);
        }
    }

    private Path resolve(String key) {
        Storage.checkKey(key);
        ensureOpen();
        if (key.equals(TEMP_DIR) || key.startsWith(TEMP_DIR + "/")) {
            throw new IllegalArgumentException("storage key '" + key + "' is reserved by the local store");
        }
        try {
            return root.resolve(key);
        } catch (InvalidPathException e) {
            throw new StorageAccessException("storage key '" + key + "' is not a valid file name here",
                    "run with a UTF-8 locale, such as LANG=C.UTF-8", e);
        }
    }

    private static void checkPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        int slash = prefix.lastIndexOf('/');
        // the complete segments must be valid; the last, partial one may be anything a key starts with
        if (prefix.startsWith("/") || prefix.indexOf('\\') >= 0 || prefix.indexOf('\0') >= 0
                || (slash >= 0 && !validFolder(prefix.substring(0, slash)))) {
            throw new IllegalArgumentException("invalid storage key prefix '" + prefix + "'");
        }
    }

    private static boolean validFolder(String folder) {
        try {
            Storage.checkKey(folder);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("storage '" + url + "' is closed");
        }
    }

    /** True when the root, or the nearest existing directory above it, is not a directory. */
    private boolean rootBlocked() {
        for (Path path = root; path != null; path = path.getParent()) {
            if (Files.exists(path)) {
                return !Files.isDirectory(path);
            }
        }
        return false;
    }

    /** True when a directory between the root and {@code path} is a file: no key can be there. */
    private boolean underObject(Path path) {
        return blockingFile(path) != null && Files.isDirectory(root);
    }

    /** The first existing non-directory among the ancestors of {@code path} (root included). */
    private Path blockingFile(Path path) {
        if (!path.startsWith(root)) {
            return null;
        }
        Path relative = root.relativize(path);
        Path current = root;
        for (int i = 0; i < relative.getNameCount(); i++) {
            if (Files.exists(current) && !Files.isDirectory(current)) {
                return current;
            }
            current = current.resolve(relative.getName(i));
        }
        return null;
    }

    private static String keyOf(Path realRoot, Path file) {
        Path relative = realRoot.relativize(file);
        String separator = relative.getFileSystem().getSeparator();
        return separator.equals("/") ? relative.toString() : relative.toString().replace(separator, "/");
    }

    private static ObjectInfo info(String key, BasicFileAttributes attributes) {
        return new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant());
    }

    /** Maps an I/O error: permanent when the location is wrong, transient otherwise. */
    StorageException failure(String action, String key, Path path, IOException e) {
        String what = "cannot " + action + " '" + key + "' in '" + root + "'";
        String writable = "check that the directory '" + root + "' exists and is writable by this user";
        if (rootBlocked()) {
            return new StorageAccessException("cannot " + action + " '" + key + "': '" + root + "' is not a directory",
                    writable, e);
        }
        if (e instanceof NoSuchFileException) {
            return new StorageNotFoundException(what + ": " + reason(e), e);
        }
        if (e instanceof AccessDeniedException) {
            return new StorageAccessException(what + ": permission denied", writable, e);
        }
        if (e instanceof AtomicMoveNotSupportedException) {
            return new StorageAccessException(what + ": cannot rename atomically across filesystems",
                    "keep the whole repository directory on one filesystem", e);
        }
        Path blocker = path == null ? null : blockingFile(path);
        if (blocker != null) {
            return new StorageAccessException(what + ": '" + root.relativize(blocker)
                    + "' is an object, so it cannot hold other keys", null, e);
        }
        if (action.equals("commit") && path != null && Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            return new StorageAccessException(what + ": it is the folder of other keys", null, e);
        }
        if (readOnly()) {
            return new StorageAccessException(what + ": read-only file system", writable, e);
        }
        String reason = reason(e);
        // errno texts may be localised; where they are not English these stay transient
        String lower = reason.toLowerCase(Locale.ROOT);
        if (lower.contains("no space left") || lower.contains("quota exceeded")) {
            return new StorageFullException(what + ": " + reason,
                    "free space on the filesystem that holds '" + root + "'", e);
        }
        if (lower.contains("not permitted") || lower.contains("read-only file system")) {
            return new StorageAccessException(what + ": " + reason, writable, e);
        }
        return new StorageTransientException(what + ": " + reason, e);
    }

    private StorageAccessException notADirectory(String action, String key) {
        return new StorageAccessException("cannot " + action + " '" + key + "': '" + root + "' is not a directory",
                "check that the directory '" + root + "' exists and is writable by this user", null);
    }

    private StorageNotFoundException notFound(String key) {
        return new StorageNotFoundException("object '" + key + "' not found in '" + root + "'", null);
    }

    private StorageAlreadyExistsException alreadyExists(String key, Throwable cause) {
        return new StorageAlreadyExistsException("object '" + key + "' already exists in '" + root + "'", cause);
    }

    private boolean readOnly() {
        try {
            return Files.getFileStore(root).isReadOnly();
        } catch (IOException e) {
            return false;
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException missing) {
            return "'" + missing.getFile() + "' does not exist";
        }
        if (e instanceof FileAlreadyExistsException existing) {
            return "'" + existing.getFile() + "' already exists";
        }
        String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        if (reason == null || reason.isBlank()) {
            reason = e.getClass().getSimpleName();
        }
        // "Permission denied" reads as part of our one lowercase line; paths keep their case
        return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
    }

    static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing useful to do: the data is already read or abandoned
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover temporary is never listed; see the class comment
        }
    }
}

package io.arca.files;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes one named path (a file, a directory with everything below it, or a symbolic link) into a
 * tar, streaming, and lists what it wrote.
 *
 * <p>Member names are relative to the named path's parent ({@code /srv/app/secrets} gives {@code
 * secrets/}, {@code secrets/db.env}), so that {@code tar -x -C DIR} recreates {@code DIR/secrets}.
 * Members come depth first, a directory before what it holds, names sorted.
 *
 * <p>What it keeps: regular files, directories (empty ones too), symbolic links as links (never
 * followed, wherever they point), permission bits with setuid/setgid/sticky, numeric owner and
 * group and their names, mtimes to the second. A file with several hard links is stored once per
 * name, as a regular file. What it leaves out, with a note: sockets, FIFOs and devices, and files
 * that vanish before they are read.
 *
 * <p>Files that change while read: a header holds the size taken when the file was opened, and
 * exactly that many bytes follow, whatever the file does meanwhile, so the tar is never corrupt:
 * a file that shrank is padded with zeros, one that grew is cut at that size (as GNU tar does),
 * and either gets a note; the manifest's SHA-256 is that of the bytes stored.
 */
final class TreeArchiver {
    private static final int BUFFER = 64 * 1024;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    /**
     * A test's way of changing a file between the archiver's steps, to check what happens when
     * a real file changes while Arca reads it.
     */
    interface Interference {
        Interference NONE = new Interference() {
        };

        /** Just before the file is opened. */
        default void beforeOpen(Path file) throws IOException {
        }

        /** After the file's size was taken for its header, before its content is read. */
        default void afterSize(Path file) throws IOException {
        }
    }

    /** What was archived: every member, and the notes about what was left out or changed. */
    record Result(List<FilesDetails.Entry> entries, List<String> notes) {
    }

    private final Progress progress;
    private final Interference interference;
    private final byte[] buffer = new byte[BUFFER];
    private final List<FilesDetails.Entry> entries = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long bytes;

    TreeArchiver(Progress progress, Interference interference) {
        this.progress = Objects.requireNonNull(progress, "progress");
        this.interference = Objects.requireNonNull(interference, "interference");
    }

    /**
     * Writes {@code named} (an absolute, normalized path with a parent) and what it holds into a
     * tar on {@code out}, with the end-of-archive blocks. Does not close {@code out}.
     *
     * @throws ArcaException LOCAL_IO when the named path does not exist or something in it cannot be read
     */
    Result archive(Path named, OutputStream out) throws IOException {
        if (named.getFileName() == null || named.getParent() == null) {
            throw new IllegalArgumentException("not a path with a parent: " + named);
        }
        TarWriter tar = new TarWriter(out);
        if (!visit(tar, named, named.getFileName().toString(), named, true)) {
            throw new ArcaException(ErrorCode.LOCAL_IO, "'" + named + "' does not exist",
                    "give --files a path that exists on this host");
        }
        tar.finish();
        return new Result(List.copyOf(entries), List.copyOf(notes));
    }

    /** Archives one path; false when it does not exist (any more). */
    private boolean visit(TarWriter tar, Path path, String name, Path named, boolean top) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            if (!top) {
                note("'" + name + "' vanished before it was read; left out");
            }
            return false;
        } catch (AccessDeniedException e) {
            throw unreadable(path, named, e);
        }
        int mode = (Integer) a.get("mode");
        switch (mode & S_IFMT) {
            case S_IFREG -> file(tar, path, name, named, a);
            case S_IFDIR -> directory(tar, path, name, named, a);
            case S_IFLNK -> symlink(tar, path, name, named, a, top);
            default -> note("'" + name + "' is a " + special(mode) + "; left out");
        }
        return true;
    }

    private void directory(TarWriter tar, Path path, String name, Path named, Map<String, Object> a)
            throws IOException {
        TarEntry header = header(name, TarEntry.Type.DIRECTORY, a, 0, "");
        tar.putEntry(header);
        tar.closeEntry();
        entries.add(FilesDetails.Entry.of(header, null));
        List<String> children = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(path)) {
            for (Path child : list) {
                children.add(child.getFileName().toString());
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            note("'" + name + "/' vanished while it was read; stored empty");
            return;
        } catch (AccessDeniedException e) {
            throw unreadable(path, named, e);
        }
        // the listing must be of the directory examined above, not of a link put in its place meanwhile
        Object now;
        try {
            now = Files.readAttributes(path, "unix:fileKey", LinkOption.NOFOLLOW_LINKS).get("fileKey");
        } catch (NoSuchFileException e) {
            now = null;
        }
        if (!Objects.equals(a.get("fileKey"), now)) {
            note("'" + name + "/' was replaced while it was read; stored empty");
            return;
        }
        children.sort(null);
        for (String child : children) {
            visit(tar, path.resolve(child), name + "/" + child, named, false);
        }
    }

    private void symlink(TarWriter tar, Path path, String name, Path named, Map<String, Object> a, boolean top)
            throws IOException {
        String target;
        try {
            target = Files.readSymbolicLink(path).toString();
        } catch (NoSuchFileException | NotLinkException e) {
            note("'" + name + "' changed while it was read; left out");
            return;
        }
        if (top) {
            note("'" + named + "' is a symbolic link to '" + target + "'; stored as a link, its target is not"
                    + " backed up (name the target to back it up)");
        }
        TarEntry header = header(name, TarEntry.Type.SYMLINK, a, 0, target);
        tar.putEntry(header);
        tar.closeEntry();
        entries.add(FilesDetails.Entry.of(header, null));
    }

    private void file(TarWriter tar, Path path, String name, Path named, Map<String, Object> a) throws IOException {
        interference.beforeOpen(path);
        SeekableByteChannel channel;
        try {
            // never through a link: one put in the file's place after it was examined is not followed
            channel = Files.newByteChannel(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            note("'" + name + "' vanished before it was read; left out");
            return;
        } catch (AccessDeniedException e) {
            throw unreadable(path, named, e);
        } catch (FileSystemException e) {
            // ELOOP: it became a link
            note("'" + name + "' changed into something else before it was read; left out");
            return;
        }
        try (channel) {
            long size = channel.size();
            interference.afterSize(path);
            TarEntry header = header(name, TarEntry.Type.FILE, a, size, "");
            tar.putEntry(header);
            MessageDigest sha = Sha256.newDigest();
            long left = size;
            ByteBuffer buf = ByteBuffer.wrap(buffer);
            while (left > 0) {
                buf.clear().limit((int) Math.min(buffer.length, left));
                int n = channel.read(buf);
                if (n < 0) {
                    break;
                }
                tar.write(buffer, 0, n);
                sha.update(buffer, 0, n);
                left -= n;
                bytes += n;
                progress.bytes("files", bytes, -1);
            }
            if (left > 0) {
                note("'" + name + "' shrank while it was read: stored its first " + (size - left) + " bytes,"
                        + " padded with zeros to the " + size + " bytes it had when opened");
                java.util.Arrays.fill(buffer, (byte) 0);
                while (left > 0) {
                    int n = (int) Math.min(buffer.length, left);
                    tar.write(buffer, 0, n);
                    sha.update(buffer, 0, n);
                    left -= n;
                }
            } else if (channel.read(ByteBuffer.allocate(1)) > 0) {
                note("'" + name + "' grew while it was read: stored the " + size + " bytes it had when opened");
            } else if (changed(path, a)) {
                note("'" + name + "' changed while it was read: it may be inconsistent");
            }
            tar.closeEntry();
            entries.add(FilesDetails.Entry.of(header, Sha256.hex(sha)));
        }
    }

    /** Whether the file's mtime or size differs from what was examined before reading it. */
    private static boolean changed(Path path, Map<String, Object> before) {
        try {
            Map<String, Object> after = Files.readAttributes(path, "unix:lastModifiedTime,size,ino",
                    LinkOption.NOFOLLOW_LINKS);
            return !after.get("lastModifiedTime").equals(before.get("lastModifiedTime"))
                    || !after.get("size").equals(before.get("size")) || !after.get("ino").equals(before.get("ino"));
        } catch (IOException e) {
            return true;
        }
    }

    private static TarEntry header(String name, TarEntry.Type type, Map<String, Object> a, long size, String link) {
        long uid = Integer.toUnsignedLong((Integer) a.get("uid"));
        long gid = Integer.toUnsignedLong((Integer) a.get("gid"));
        String user = ((UserPrincipal) a.get("owner")).getName();
        String group = ((GroupPrincipal) a.get("group")).getName();
        long mtime = Math.floorDiv(((FileTime) a.get("lastModifiedTime")).toMillis(), 1000L);
        // an id without a name comes back as the number itself: store no name then, as tar does
        return new TarEntry(name, type, (Integer) a.get("mode") & 07777, uid, gid,
                user.equals(Long.toString(uid)) ? "" : user, group.equals(Long.toString(gid)) ? "" : group, size,
                mtime, link);
    }

    private static String special(int mode) {
        return switch (mode & S_IFMT) {
            case 0140000 -> "socket";
            case 0010000 -> "fifo";
            case 0020000 -> "character device";
            case 0060000 -> "block device";
            default -> "special file";
        };
    }

    private void note(String message) {
        notes.add(message);
        progress.note("files: " + message);
    }

    private static ArcaException unreadable(Path path, Path named, IOException e) {
        return new ArcaException(ErrorCode.LOCAL_IO, "cannot read '" + path + "': permission denied",
                "run arca as a user that can read everything under '" + named + "'", e);
    }
}

package io.arca.files;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code files} section's details in the manifest: the path that was backed up and every
 * member of its tar, so that verify can check each one and a restore can say what it would
 * overwrite before it reads the artifact.
 *
 * @param path the absolute path that was named with {@code --files}
 * @param root its last name: the tar's top member ({@code secrets}, {@code .env}); every member
 *     name starts with it, so that {@code tar -x -C DIR} recreates {@code DIR/secrets/...}
 * @param entries the tar's members, in tar order (a directory before what it holds)
 * @param notes what the backup left out or found changing, one line each (sockets, files that
 *     vanished or changed size while read)
 */
public record FilesDetails(String path, String root, List<Entry> entries, List<String> notes) {
    /** Types as the details name them. */
    public static final String FILE = "file";
    public static final String DIRECTORY = "dir";
    public static final String SYMLINK = "symlink";

    public FilesDetails {
        entries = entries == null ? List.of() : List.copyOf(entries);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** Content bytes of all regular files. */
    public long bytes() {
        return entries.stream().filter(e -> e.type().equals(FILE)).mapToLong(Entry::size).sum();
    }

    /**
     * One member.
     *
     * @param name the member name ({@code secrets/db.env}; a directory without trailing {@code /})
     * @param type {@link #FILE}, {@link #DIRECTORY} or {@link #SYMLINK}
     * @param size content bytes (0 for directories and links)
     * @param mode permission bits in octal, with setuid, setgid and sticky: {@code 0600}
     * @param uid numeric owner
     * @param gid numeric group
     * @param user owner name, empty when the id had none
     * @param group group name, empty when the id had none
     * @param mtime modification time (whole seconds)
     * @param target a symbolic link's target, as stored (may point anywhere: it is never followed)
     * @param sha256 SHA-256 of a regular file's content as stored in the tar
     */
    public record Entry(String name, String type, long size, String mode, long uid, long gid, String user,
            String group, Instant mtime, String target, String sha256) {

        /** This member as the tar stores it. */
        static Entry of(TarEntry t, String sha256) {
            String type = switch (t.type()) {
                case FILE -> FILE;
                case DIRECTORY -> DIRECTORY;
                case SYMLINK -> SYMLINK;
                default -> throw new IllegalArgumentException("no entry for a " + t.type() + " member");
            };
            return new Entry(t.name(), type, t.size(), octal(t.mode()), t.uid(), t.gid(), t.user(), t.group(),
                    Instant.ofEpochSecond(t.mtime()), t.linkTarget().isEmpty() ? null : t.linkTarget(), sha256);
        }

        /** The permission bits. */
        public int permissions() {
            return Integer.parseInt(mode, 8);
        }

        public boolean isFile() {
            return FILE.equals(type);
        }

        public boolean isDirectory() {
            return DIRECTORY.equals(type);
        }

        public boolean isSymlink() {
            return SYMLINK.equals(type);
        }

        /** How a member read from the tar differs from this entry, one lowercase phrase each; empty when it matches. */
        List<String> differences(TarEntry t) {
            List<String> d = new ArrayList<>();
            Entry other;
            try {
                other = of(t, sha256);
            } catch (IllegalArgumentException e) {
                return List.of("is a " + t.type().name().toLowerCase(Locale.ROOT) + " member in the tar, '" + type
                        + "' in the manifest");
            }
            if (!other.name.equals(name)) {
                return List.of("is named '" + t.name() + "' in the tar");
            }
            if (!other.type.equals(type)) {
                d.add("is a " + other.type + " in the tar, a " + type + " in the manifest");
            }
            if (other.size != size) {
                d.add("has " + other.size + " bytes in the tar, " + size + " in the manifest");
            }
            if (!other.mode.equals(mode)) {
                d.add("has mode " + other.mode + " in the tar, " + mode + " in the manifest");
            }
            if (other.uid != uid || other.gid != gid || !other.user.equals(nz(user)) || !other.group.equals(nz(group))) {
                d.add("has owner " + other.owner() + " in the tar, " + owner() + " in the manifest");
            }
            if (!other.mtime.equals(mtime)) {
                d.add("has mtime " + other.mtime + " in the tar, " + mtime + " in the manifest");
            }
            if (!nz(other.target).equals(nz(target))) {
                d.add("points to '" + nz(other.target) + "' in the tar, '" + nz(target) + "' in the manifest");
            }
            return d;
        }

        private String owner() {
            return uid + "/" + gid + " (" + nz(user) + ":" + nz(group) + ")";
        }

        /** {@code -rw------- 0/0 1234 secrets/db.env}, like {@code tar -tv} with numeric owners. */
        public String describe() {
            String kind = isDirectory() ? "d" : isSymlink() ? "l" : "-";
            return kind + FileModes.symbolic(permissions()) + " " + uid + "/" + gid + " " + size + " " + name
                    + (isDirectory() ? "/" : "") + (isSymlink() ? " -> " + target : "");
        }

        private static String nz(String s) {
            return s == null ? "" : s;
        }
    }

    static String octal(int mode) {
        String s = Integer.toOctalString(mode & 07777);
        return "0".repeat(Math.max(0, 4 - s.length())) + s;
    }
}

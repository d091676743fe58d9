package io.arca.files;

import java.util.Objects;

/**
 * One member of a tar archive, as its headers (ustar and pax) describe it.
 *
 * @param name the member name, without the trailing {@code /} tar puts after directory names
 * @param type what it is
 * @param mode permission bits with setuid, setgid and sticky ({@code 07777} at most)
 * @param uid numeric owner
 * @param gid numeric group
 * @param user owner name, empty when unknown
 * @param group group name, empty when unknown
 * @param size content bytes (0 for all but regular files)
 * @param mtime modification time, seconds since the epoch
 * @param linkTarget a symbolic (or hard) link's target, else empty
 */
record TarEntry(String name, Type type, int mode, long uid, long gid, String user, String group, long size, long mtime,
        String linkTarget) {

    /** Member types; the ones {@link TarWriter} writes and the ones a reader may meet. */
    enum Type {
        FILE('0'), DIRECTORY('5'), SYMLINK('2'), HARDLINK('1'), OTHER('?');

        private final char flag;

        Type(char flag) {
            this.flag = flag;
        }

        char flag() {
            return flag;
        }

        static Type of(char flag) {
            return switch (flag) {
                case '0', '\0', '7' -> FILE;
                case '5' -> DIRECTORY;
                case '2' -> SYMLINK;
                case '1' -> HARDLINK;
                default -> OTHER;
            };
        }
    }

    TarEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        user = user == null ? "" : user;
        group = group == null ? "" : group;
        linkTarget = linkTarget == null ? "" : linkTarget;
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " of '" + name + "'");
        }
    }
}

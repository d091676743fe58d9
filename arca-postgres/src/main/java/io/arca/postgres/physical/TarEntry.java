package io.arca.postgres.physical;

import java.time.Instant;
import java.util.Objects;

/**
 * One member of a tar stream, as {@link TarReader} reads it.
 *
 * @param name the path inside the archive, without a leading {@code ./} and without the trailing
 *     {@code /} that tar (and PostgreSQL, also for symlinks) puts on directories; {@code ""} is
 *     the archive's root directory ({@code ./})
 * @param type what the member is
 * @param size the content's length in bytes (0 for directories and symlinks)
 * @param mode the permission bits ({@code 07777})
 * @param modified the modification time, whole seconds unless a pax header gives more
 * @param linkTarget the target of a symlink, else {@code null}
 */
public record TarEntry(String name, Type type, long size, int mode, Instant modified, String linkTarget) {

    /** The kinds of member a base backup holds; others (hard links, devices, FIFOs) are refused. */
    public enum Type { FILE, DIRECTORY, SYMLINK }

    public TarEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(modified, "modified");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " of tar entry '" + name + "'");
        }
    }

    public boolean isFile() {
        return type == Type.FILE;
    }

    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }

    public boolean isSymlink() {
        return type == Type.SYMLINK;
    }
}

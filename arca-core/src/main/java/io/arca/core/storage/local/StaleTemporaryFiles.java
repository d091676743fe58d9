package io.arca.core.storage.local;

import io.arca.core.TempFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the temporary files of {@link LocalFileStorage} writes after the process that writes them
 * ({@code <uuid>.<pid>.<host>.tmp}), and removes those that no running write will finish: of this
 * host when their process is gone, and any file not written to for a long time.
 */
final class StaleTemporaryFiles {
    private static final Pattern NAME = Pattern.compile("[0-9a-f-]{36}\\.(\\d+)\\.(.+)\\.tmp");

    private StaleTemporaryFiles() {
    }

    /** A new temporary file name for this process. */
    static String newName() {
        return UUID.randomUUID() + "." + ProcessHandle.current().pid() + "." + TempFiles.hostName() + ".tmp";
    }

    /** Removes the stale files in {@code dir}; returns how many. Best effort: never throws. */
    static int remove(Path dir, Duration staleAfter) {
        int removed = 0;
        Instant old = Instant.now().minus(staleAfter);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.tmp")) {
            for (Path file : files) {
                try {
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile() && isStale(file.getFileName().toString(), a, old)) {
                        Files.deleteIfExists(file);
                        removed++;
                    }
                } catch (NoSuchFileException e) {
                    // its write finished or aborted meanwhile
                } catch (IOException e) {
                    // not ours to remove, or gone: the next sweep tries again
                }
            }
        } catch (IOException | RuntimeException e) {
            // no temporary directory yet, or unreadable: nothing to sweep
        }
        return removed;
    }

    private static boolean isStale(String name, BasicFileAttributes a, Instant old) {
        if (a.lastModifiedTime().toInstant().isBefore(old)) {
            return true;
        }
        Matcher m = NAME.matcher(name);
        if (!m.matches() || !m.group(2).equals(TempFiles.hostName())) {
            return false; // another host's write, or an older name: only age tells
        }
        try {
            return TempFiles.processGone(Long.parseLong(m.group(1)), a.lastModifiedTime().toInstant());
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

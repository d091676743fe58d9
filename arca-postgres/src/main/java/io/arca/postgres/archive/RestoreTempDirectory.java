package io.arca.postgres.archive;

import io.arca.core.TempFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The temporary directories of restores ({@code arca-restore-<pid>-<random>} in {@code
 * java.io.tmpdir}): a TOC copy, a directory view's files and named pipes. A restore deletes its
 * own on every path it survives; one killed with {@code kill -9} cannot, so the next restore
 * deletes those whose process is gone ({@link #removeStale}).
 */
public final class RestoreTempDirectory {
    private static final String PREFIX = "arca-restore-";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.+");

    private RestoreTempDirectory() {
    }

    /** A new directory named after this process. */
    public static Path create() throws IOException {
        return Files.createTempDirectory(PREFIX + ProcessHandle.current().pid() + "-");
    }

    /**
     * Deletes the restore directories in {@code java.io.tmpdir} whose process has ended (or whose
     * pid now belongs to a process started after the directory was made); best effort.
     */
    public static void removeStale(Consumer<String> notes) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                Matcher m = NAME.matcher(dir.getFileName().toString());
                if (m.matches() && Files.isDirectory(dir) && stale(Long.parseLong(m.group(1)), dir)) {
                    TempFiles.deleteQuietly(dir);
                    notes.accept("removed '" + dir + "' that an interrupted restore left");
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a leftover costs disk space, not correctness
        }
    }

    private static boolean stale(long pid, Path dir) throws IOException {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        Optional<Instant> started = process.get().info().startInstant();
        Instant made = Files.readAttributes(dir, BasicFileAttributes.class).creationTime().toInstant();
        // a reused pid: that process started after the directory was made (with a second's slack)
        return started.isPresent() && started.get().isAfter(made.plusSeconds(1));
    }
}

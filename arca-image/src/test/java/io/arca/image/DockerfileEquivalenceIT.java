package io.arca.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The built archive holds what deploy/image/Dockerfile declares, and nothing else was installed:
 * the packages (the ones installed beyond the base layer and not pulled in as dependencies are
 * exactly the Dockerfile's {@code apt-get install} list), the user, the symbolic links, the
 * copied Arca distribution (file for file the tarball's), and the image configuration. The
 * Maven build runs this Dockerfile with buildah; users build it with Docker: a change to either
 * the file or the build that makes them differ fails here.
 */
@ExtendWith(BuiltImage.class)
class DockerfileEquivalenceIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static Dockerfile dockerfile;
    private static JsonNode config;

    @BeforeAll
    static void read() throws Exception {
        // the build's --build-arg values that are not the defaults
        Map<String, String> buildArgs = Map.of("VERSION", BuiltImage.property("arca.image.version"));
        dockerfile = Dockerfile.parse(Path.of(BuiltImage.property("arca.image.dockerfile")), buildArgs);
        Tools.require(Tools.SKOPEO);
        Command.Result inspect = Command.run(List.of("skopeo", "inspect", "--config",
                "docker-archive:" + BuiltImage.archive()), Map.of(), TIMEOUT).expectSuccess();
        config = new ObjectMapper().readTree(inspect.out()).path("config");
    }

    @Test
    void theImageConfigurationIsTheDockerfiles() {
        assertThat(dockerfile.user()).isEqualTo("10001:10001");
        assertThat(config.path("User").asText()).isEqualTo(dockerfile.user());
        assertThat(config.path("WorkingDir").asText()).isEqualTo(dockerfile.workdir());
        assertThat(strings(config.path("Entrypoint"))).isEqualTo(dockerfile.entrypoint())
                .containsExactly("tini", "--", "arca");
        assertThat(strings(config.path("Cmd"))).isEqualTo(dockerfile.cmd());
        Map<String, String> env = new LinkedHashMap<>();
        config.path("Env").forEach(e -> {
            String s = e.asText();
            env.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        });
        assertThat(env).containsAllEntriesOf(dockerfile.env());
        Map<String, String> labels = new LinkedHashMap<>();
        config.path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        // the two labels the build adds with --label (docker build --label does the same)
        assertThat(dockerfile.labels()).doesNotContainKeys("org.opencontainers.image.created",
                "org.opencontainers.image.base.name");
        assertThat(Instant.parse(labels.get("org.opencontainers.image.created"))).as("the build's time")
                .isBetween(Instant.now().minus(Duration.ofDays(1)), Instant.now());
        assertThat(labels.get("org.opencontainers.image.base.name")).startsWith("localhost/arca-base-debian:");
        assertThat(labels).containsAllEntriesOf(dockerfile.labels())
                .containsEntry("org.opencontainers.image.version", BuiltImage.property("arca.image.version"))
                .containsKeys("org.opencontainers.image.title", "org.opencontainers.image.description",
                        "org.opencontainers.image.licenses");
    }

    @Test
    void theInstalledPackagesAreTheDockerfiles(BuiltImage.Loaded image) {
        Set<String> base = basePackages();
        Command.Result manual = inImage(image, "apt-mark showmanual");
        Set<String> added = new TreeSet<>(manual.out().lines().map(String::strip).toList());
        added.removeAll(base);
        // a package the base has already is marked manual by apt-get install but is no addition
        Set<String> declared = new TreeSet<>(dockerfile.packages());
        declared.removeAll(base);
        assertThat(added).as("packages installed on purpose beyond the base layer").isEqualTo(declared);
        assertThat(dockerfile.packages()).contains("libpq5", "tini", "ca-certificates");
        assertThat(dockerfile.unpacked()).containsExactly("postgresql-client-18");

        Command.Result status = inImage(image, "dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\\n' "
                + String.join(" ", dockerfile.packages()));
        for (String line : status.out().lines().toList()) {
            assertThat(line).as("installed: " + line).endsWith(" ii ");
        }
        assertThat(status.out()).containsPattern("(?m)^libpq5 18\\.");
        // unpacked, not installed: its programs are there, the package and its Perl wrapper are not
        assertThat(inImage(image, "ls /usr/lib/postgresql/18/bin").out()).contains("pg_dump", "pg_restore", "psql");
        assertThat(inImage(image, "dpkg-query -W -f '${db:Status-Abbrev} ${Package}\\n' 'postgresql-client*' 'libperl*'"
                + " 'perl-modules*' 2>/dev/null | grep '^ii' || true").out().strip()).as("packages that bring Perl").isEmpty();
        assertThat(inImage(image, "find /var/lib/apt/lists /var/cache/apt -mindepth 1").out())
                .as("no apt lists or caches left").isEmpty();
    }

    @Test
    void theUserLinksAndCopiedFilesAreTheDockerfiles(BuiltImage.Loaded image) {
        Dockerfile.Useradd u = dockerfile.useradd();
        assertThat(inImage(image, "getent passwd " + u.name()).out().strip()).isEqualTo(
                u.name() + ":x:" + u.uid() + ":" + u.gid() + "::" + u.home() + ":" + u.shell());
        assertThat(inImage(image, "stat -c '%u:%g %a' " + u.home()).out().strip())
                .isEqualTo(u.uid() + ":" + u.gid() + " 700");

        assertThat(dockerfile.symlinks()).containsExactly("/usr/local/bin/arca -> /opt/arca/bin/arca");
        for (String link : dockerfile.symlinks()) {
            String[] parts = link.split(" -> ");
            assertThat(inImage(image, "readlink " + parts[0]).out().strip()).isEqualTo(parts[1]);
        }

        Dockerfile.Copy copy = dockerfile.copies().stream().filter(c -> "dist".equals(c.from())).findFirst()
                .orElseThrow(() -> new AssertionError("no COPY --from=dist in " + dockerfile));
        Tools.require(Tools.TAR);
        String dist = BuiltImage.property("arca.image.dist");
        Command.Result tarball = Command.run(List.of("tar", "-tzvf", dist), Map.of(), TIMEOUT).expectSuccess();
        Set<String> expected = new TreeSet<>();
        for (String line : tarball.out().lines().toList()) {
            // -rwxr-xr-x root/root 1234 2026-12-07 21:58 arca-0.1.0-SNAPSHOT/bin/arca
            String[] f = line.strip().split("\\s+", 6);
            String path = f[5].replaceFirst(" -> .*", "").replaceFirst("^[^/]+/?", "").replaceFirst("/$", "");
            char type = f[0].charAt(0) == '-' ? 'f' : f[0].charAt(0);
            if (!path.isEmpty()) {
                expected.add(entry(path, type, Long.parseLong(f[2]), octal(f[0].substring(1))));
            }
        }
        Command.Result listing = inImage(image, "find " + copy.destination() + " -mindepth 1 -printf '%P %y %s %m\\n'");
        Set<String> actual = new TreeSet<>();
        for (String line : listing.out().lines().toList()) {
            String[] f = line.split(" ");
            int n = f.length;
            String path = String.join(" ", java.util.Arrays.copyOf(f, n - 3));
            actual.add(entry(path, f[n - 3].charAt(0), Long.parseLong(f[n - 2]), Integer.parseInt(f[n - 1], 8)));
        }
        assertThat(actual).as("files of " + copy.destination() + " (path, type, size, mode) against " + dist)
                .isEqualTo(expected).hasSizeGreaterThan(3);
        assertThat(inImage(image, "stat -c '%u:%g' " + copy.destination() + "/bin/arca").out().strip())
                .as("the distribution belongs to root: the arca user cannot change it").isEqualTo("0:0");
    }

    /** One file for comparison: sizes of regular files only (a directory's size is the file system's). */
    private static String entry(String path, char type, long size, int mode) {
        return path + " " + type + (type == 'f' ? " " + size : "") + " " + Integer.toOctalString(mode);
    }

    /** {@code rwxr-xr-x} as 0755 (no setuid, setgid or sticky bits in the tarball). */
    private static int octal(String permissions) {
        int mode = 0;
        for (int i = 0; i < 9; i++) {
            mode = mode << 1 | (permissions.charAt(i) == '-' ? 0 : 1);
        }
        return mode;
    }

    private static Command.Result inImage(BuiltImage.Loaded image, String script) {
        return image.podman().run("--entrypoint", "sh", image.reference(), "-c", script).expectSuccess();
    }

    /** The packages of the base layer: /var/lib/dpkg/status in the archive's first layer. */
    private static Set<String> basePackages() {
        Path archive = BuiltImage.archive();
        String script = "layer=$(tar -xOf \"$1\" manifest.json | sed 's/.*\"Layers\":\\[\"\\([^\"]*\\)\".*/\\1/');"
                + " tar -xOf \"$1\" \"$layer\" | tar -xOf - --wildcards '*var/lib/dpkg/status'";
        Command.Result status = Command.run(List.of("sh", "-c", script, "sh", archive.toString()), Map.of(), TIMEOUT)
                .expectSuccess();
        Set<String> names = new TreeSet<>();
        status.out().lines().filter(l -> l.startsWith("Package: ")).forEach(l -> names.add(l.substring(9).strip()));
        assertThat(names).as("packages of the base layer").contains("dpkg", "apt", "libc6");
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }
}

package io.arca.deploy.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README, {@code docs/} and {@code deploy/} name only artifacts the build makes: the tarball,
 * the {@code .deb}, the image archive, the image and the chart package, each with this build's
 * version. An example with {@code image: arca} or an old version fails here, not in a user's
 * cluster.
 */
class ArtifactNamesTest {
    private static final String VERSION = System.getProperty("arca.version");
    private static final Path DOCS = Path.of(System.getProperty("arca.docs"));
    private static final Path DEPLOY = Path.of(System.getProperty("arca.deploy"));
    private static final Path README = DOCS.resolveSibling("README.md");

    /** A versioned Arca artifact name: arca-..., arca_..., arca:... with a version number in it. */
    private static final Pattern VERSIONED = Pattern.compile("\\barca(?:-image)?[-_:][A-Za-z0-9._~:-]*?\\d+\\.\\d+\\.\\d+[A-Za-z0-9._~-]*");
    /** An image an example runs: {@code image: NAME}, in YAML or a table. */
    private static final Pattern IMAGE = Pattern.compile("\\bimage:\\s*([^\\s{#,]*arca[^\\s#,]*)");

    private static Set<String> artifacts() {
        String deb = VERSION.replace('-', '~');
        return Set.of("arca-" + VERSION, // the tarball's top folder
                "arca-" + VERSION + "-linux-x86_64.tar.gz",
                "arca_" + deb + "_amd64.deb",
                "arca-image-" + VERSION + ".tar",
                "arca:" + VERSION,
                "arca-" + VERSION + ".tgz");
    }

    private static List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>(List.of(README));
        for (Path root : List.of(DOCS, DEPLOY)) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile).filter(p -> {
                    String name = p.getFileName().toString();
                    return name.endsWith(".md") || name.endsWith(".yaml") || name.endsWith(".yml")
                            || name.equals("Dockerfile") || name.endsWith(".txt");
                }).forEach(files::add);
            }
        }
        assertThat(files).as("documentation files").hasSizeGreaterThan(20);
        return files;
    }

    @Test
    void everyVersionedArtifactNamedIsOneTheBuildMakes() throws IOException {
        assertThat(VERSION).as("the project version (system property arca.version)").isNotBlank();
        int named = 0;
        for (Path file : files()) {
            Matcher m = VERSIONED.matcher(Files.readString(file));
            while (m.find()) {
                String name = m.group().replaceAll("[.]+$", "");
                named++;
                assertThat(artifacts()).as(file + " names " + name).contains(name);
            }
        }
        assertThat(named).as("artifact names found").isGreaterThan(20);
    }

    @Test
    void everyExampleImageIsArcasWithThisVersion() throws IOException {
        int images = 0;
        for (Path file : files()) {
            Matcher m = IMAGE.matcher(Files.readString(file));
            while (m.find()) {
                String image = m.group(1).replaceAll("[\"'`]", "");
                if (image.contains("{{")) {
                    continue; // a chart template: the chart test renders it
                }
                images++;
                assertThat(image).as(file + ": image " + image).matches("(?:[a-z0-9.-]+(?::\\d+)?/)*arca:"
                        + Pattern.quote(VERSION));
            }
        }
        assertThat(images).as("example images found").isPositive();
    }

    @Test
    void theChartsAppVersionIsThisVersion() throws IOException {
        String chart = Files.readString(DEPLOY.resolve("helm/arca/Chart.yaml"));
        assertThat(chart).contains("\nversion: " + VERSION).containsPattern("\nappVersion: \"?" + Pattern.quote(VERSION));
    }
}

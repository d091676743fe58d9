package io.arca.deploy.helm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The chart {@code deploy/helm/arca} as helm-java sees it: lint and template with a values file, on
 * a copy of the chart in a temporary folder.
 *
 * <p>Two things helm-java does not do as the {@code helm} command does, and how the copy makes up
 * for them: {@code lint} takes no values file, so the copy's {@code values.yaml} is the chart's with
 * the file merged over it (as Helm merges: maps key by key, everything else replaced); and
 * {@code template} returns the release manifest without hooks, so in the copy the hook annotation
 * is renamed ({@link #HOOK_STAND_IN}) and hooks render as ordinary objects.
 */
final class Chart {
    static final String RELEASE = "arca";
    static final String NAMESPACE = "backups";
    static final String HOOK = "helm.sh/hook:";
    static final String HOOK_STAND_IN = "arca-test/hook:";
    static final ObjectMapper YAML = new YAMLMapper();

    private Chart() {
    }

    /** {@code deploy/} of this checkout (surefire passes it as arca.deploy). */
    static Path deployDir() {
        String given = System.getProperty("arca.deploy");
        Path dir = given != null ? Path.of(given) : Path.of("..", "deploy");
        return dir.toAbsolutePath().normalize();
    }

    static Path dir() {
        return deployDir().resolve("helm/arca");
    }

    /** The example values files of the chart's ci/ folder. */
    static List<Path> ciValues() {
        try (Stream<Path> files = Files.list(dir().resolve("ci"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-values.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code helm lint --strict} with {@code values} (null: the defaults) merged over values.yaml. */
    static LintResult lint(Path values, Path work) throws IOException {
        Path copy = copy(work, false);
        if (values != null) {
            Map<String, Object> merged = merge(read(copy.resolve("values.yaml")), read(values));
            YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
        }
        return new Helm(copy).lint().strict().call();
    }

    /**
     * {@code helm template arca --namespace backups -f values --set k=v ...}, hooks included;
     * {@code "--values", FILE} among {@code sets} adds a further values file.
     */
    static Rendered template(Path values, Path work, String... sets) throws IOException {
        Path copy = copy(work, true);
        TemplateCommand command = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (values != null) {
            command = command.withValuesFile(values);
        }
        for (int i = 0; i < sets.length; i++) {
            if (sets[i].equals("--values")) {
                command = command.withValuesFile(Path.of(sets[++i]));
            } else {
                String[] kv = sets[i].split("=", 2);
                command = command.set(kv[0], kv[1]);
            }
        }
        return Rendered.of(command.call());
    }

    private static Path copy(Path work, boolean hooksAsObjects) throws IOException {
        Path target = Files.createTempDirectory(work, "chart-").resolve("arca");
        Path source = dir();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.toList()) {
                Path to = target.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else if (hooksAsObjects && f.getParent().getFileName().toString().equals("templates")) {
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    Files.writeString(to, text.replace(HOOK, HOOK_STAND_IN), StandardCharsets.UTF_8);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        return target;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(Path yaml) throws IOException {
        Map<String, Object> map = YAML.readValue(yaml.toFile(), Map.class);
        return map == null ? new LinkedHashMap<>() : map;
    }

    /** Helm's coalescing of values: maps merge key by key, anything else in {@code over} replaces. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        over.forEach((key, value) -> {
            Object old = out.get(key);
            if (value instanceof Map<?, ?> m && old instanceof Map<?, ?> o) {
                out.put(key, merge((Map<String, Object>) o, (Map<String, Object>) m));
            } else {
                out.put(key, value);
            }
        });
        return out;
    }

    /** The documents of a rendering: their text (for fabric8) and their tree. */
    record Rendered(List<Doc> docs) {
        static Rendered of(String manifest) throws IOException {
            List<Doc> docs = new ArrayList<>();
            for (String part : manifest.split("(?m)^---\\s*$")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> tree = YAML.readValue(part.isBlank() ? "{}" : part, Map.class);
                if (tree != null && !tree.isEmpty()) {
                    docs.add(new Doc(part, tree));
                }
            }
            return new Rendered(List.copyOf(docs));
        }

        List<Doc> kind(String kind) {
            return docs.stream().filter(d -> d.kind().equals(kind)).toList();
        }
    }

    record Doc(String text, Map<String, Object> tree) {
        String kind() {
            return String.valueOf(tree.get("kind"));
        }

        String apiVersion() {
            return String.valueOf(tree.get("apiVersion"));
        }

        @SuppressWarnings("unchecked")
        String name() {
            return String.valueOf(((Map<String, Object>) tree.get("metadata")).get("name"));
        }

        @Override
        public String toString() {
            return kind() + "/" + name();
        }
    }
}

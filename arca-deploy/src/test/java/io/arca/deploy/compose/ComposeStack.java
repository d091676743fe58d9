package io.arca.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The Compose stack under test, {@code deploy/compose/compose.yaml}, read as Docker Compose reads
 * it: YAML, with {@code ${VAR}} interpolated from {@code .env} (here the committed
 * {@code .env.example}, which a user copies to {@code .env}) and {@code $$} standing for {@code $}.
 *
 * <p>The deploy folder is the system property {@code arca.deploy} (set by the module's pom), else
 * {@code ../deploy} from the module's folder, where surefire runs.
 */
record ComposeStack(Path dir, JsonNode raw, Map<String, String> dotEnv) {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /** {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME:?error}} and the like, or {@code $$}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?}"
            + "|\\$([A-Za-z_][A-Za-z0-9_]*)");

    /** A bind mount: the file or folder on the host (resolved against the compose folder) and where it goes. */
    record Mount(String source, Path hostPath, String target, boolean readOnly) {
    }

    static Path deployDir() {
        String property = System.getProperty("arca.deploy");
        Path dir = property != null ? Path.of(property) : Path.of("..", "deploy");
        return dir.toAbsolutePath().normalize();
    }

    static ComposeStack load() {
        Path dir = deployDir().resolve("compose");
        try {
            JsonNode raw = YAML.readTree(dir.resolve("compose.yaml").toFile());
            return new ComposeStack(dir, raw, dotEnv(dir.resolve(".env.example")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code KEY=VALUE} lines as Compose reads an env file (comments and blank lines ignored). */
    static Map<String, String> dotEnv(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            assertThat(eq).as("line of %s: %s", file, line).isPositive();
            values.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
        }
        return values;
    }

    JsonNode services() {
        return raw.path("services");
    }

    JsonNode service(String name) {
        JsonNode s = services().path(name);
        assertThat(s.isObject()).as("service '%s' in compose.yaml", name).isTrue();
        return s;
    }

    /** The variables a text refers to, {@code $$} excepted. */
    static List<String> variables(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            if (!m.group().equals("$$")) {
                names.add(m.group(1) != null ? m.group(1) : m.group(4));
            }
        }
        return names;
    }

    /** The text as the container gets it: variables from {@code .env}, {@code $$} as {@code $}. */
    String interpolate(String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else {
                String name = m.group(1) != null ? m.group(1) : m.group(4);
                String value = dotEnv.get(name);
                String op = m.group(2);
                if (value == null || (value.isEmpty() && op != null && op.startsWith(":"))) {
                    assertThat(op).as("${%s} is not set in .env.example and has no default", name)
                            .isIn(":-", "-");
                    value = m.group(3);
                }
                replacement = value;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A service's {@code environment} (map or list form), interpolated. */
    Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = service(service).path("environment");
        if (e.isObject()) {
            e.fields().forEachRemaining(f -> env.put(f.getKey(), interpolate(f.getValue().asText())));
        } else {
            e.forEach(item -> {
                String s = item.asText();
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : interpolate(s.substring(eq + 1)));
            });
        }
        return env;
    }

    /** A list-or-string field ({@code command}, {@code entrypoint}, {@code healthcheck.test}) as words, interpolated. */
    List<String> words(JsonNode node) {
        assertThat(node.isArray()).as("a list (exec form, no shell splitting): %s", node).isTrue();
        List<String> words = new ArrayList<>();
        node.forEach(n -> words.add(interpolate(n.asText())));
        return words;
    }

    /** The bind mounts of a service (short and long syntax); named volumes are left out. */
    List<Mount> bindMounts(String service) {
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode v : service(service).path("volumes")) {
            String source;
            String target;
            boolean readOnly;
            if (v.isTextual()) {
                String[] parts = v.asText().split(":");
                source = parts[0];
                target = parts.length > 1 ? parts[1] : parts[0];
                readOnly = parts.length > 2 && List.of(parts[2].split(",")).contains("ro");
            } else {
                if (!v.path("type").asText().equals("bind")) {
                    continue;
                }
                source = v.path("source").asText();
                target = v.path("target").asText();
                readOnly = v.path("read_only").asBoolean(false);
            }
            if (source.startsWith(".") || source.startsWith("/")) {
                mounts.add(new Mount(source, dir.resolve(source).normalize(), target, readOnly));
            }
        }
        return mounts;
    }

    /** The host file mounted at {@code target} in {@code service}. */
    Mount mountAt(String service, String target) {
        Optional<Mount> m = bindMounts(service).stream().filter(x -> x.target().equals(target)).findFirst();
        assertThat(m).as("a bind mount at %s in service '%s'", target, service).isPresent();
        return m.get();
    }

    /** The published container ports of a service ({@code 127.0.0.1:HOST:CONTAINER}). */
    static int containerPort(String published) {
        String[] parts = published.split(":");
        return Integer.parseInt(parts[parts.length - 1].replaceAll("/.*", ""));
    }

    /** Arca's own command line model, as {@code arca} parses its arguments with. */
    static CommandLine arcaCommandLine(String... args) {
        return io.arca.cli.Main.commandLine(args);
    }

    /** Runs a real tool; fails naming the Debian package when it is missing. */
    static ToolResult run(String debianPackage, Path workDir, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("'" + command[0] + "' cannot be run (" + e.getMessage()
                    + "): install the Debian package " + debianPackage, e);
        }
        String output = new String(p.getInputStream().readAllBytes());
        boolean done = p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
        }
        return new ToolResult(p.exitValue(), output);
    }

    record ToolResult(int exitCode, String output) {
    }
}

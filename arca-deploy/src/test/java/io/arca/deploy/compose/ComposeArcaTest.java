package io.arca.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.app.config.ArcaConfig;
import io.arca.app.config.ConfigLoader;
import io.arca.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The Arca services of the stack: their command lines parse with Arca's own picocli model, the
 * mounted {@code arca.yaml} passes {@code arca config check} and points at the stack's services,
 * and every secret it names is set in the container.
 */
class ComposeArcaTest {
    private static final String CONFIG = "/etc/arca/arca.yaml";

    private final ComposeStack stack = ComposeStack.load();

    /** Container paths of mounted files replaced by the host files, so that Arca reads what the container would. */
    private String[] onHost(String service, List<String> args) {
        return args.stream().map(a -> stack.bindMounts(service).stream().filter(m -> m.target().equals(a)).findFirst()
                .map(m -> m.hostPath().toString()).orElse(a)).toArray(String[]::new);
    }

    private ParseResult parse(String service, List<String> args) {
        String[] hostArgs = onHost(service, args);
        CommandLine cl = ComposeStack.arcaCommandLine(hostArgs);
        ParseResult result = cl.parseArgs(hostArgs);
        assertThat(result.unmatched()).as("unmatched arguments of %s", args).isEmpty();
        return result;
    }

    private ArcaConfig config() {
        return ConfigLoader.of(Map.of()).load(stack.mountAt("arca", CONFIG).hostPath());
    }

    @Test
    void theServerCommandParsesAndReadsTheMountedConfig() {
        List<String> command = stack.words(stack.service("arca").path("command"));
        assertThat(stack.service("arca").has("entrypoint")).as("the image's entrypoint (tini -- arca) is kept").isFalse();
        ParseResult result = parse("arca", command);
        assertThat(result.subcommand()).as("a subcommand in %s", command).isNotNull();
        assertThat(result.subcommand().commandSpec().name()).isEqualTo("server");
        assertThat(result.subcommand().matchedOptionValue("--config", (Object) null)).as("--config of %s", command)
                .isNotNull().hasToString(stack.mountAt("arca", CONFIG).hostPath().toString());
        assertThat(stack.mountAt("arca", CONFIG).readOnly()).isTrue();
        // a wrong option in the same place is refused by the same model (the check can fail)
        List<String> wrong = new ArrayList<>(command);
        wrong.add("--conifg");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> parse("arca", wrong)))
                .isInstanceOf(CommandLine.ParameterException.class);
    }

    @Test
    void theConfigPassesArcaConfigCheck() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path file = stack.mountAt("arca", CONFIG).hostPath();
        int code = Main.run(new String[] {"config", "check", file.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as("arca config check %s:%n%s%s", file, out, err).isZero();
        assertThat(out.toString()).contains(": valid", "listen 0.0.0.0:9187").containsPattern("app\\s+backup\\s+0 \\* \\* \\* \\*");
    }

    @Test
    void theConfigNamesTheStacksServicesAndItsSecretsAreSet() {
        ArcaConfig config = config();
        Map<String, String> env = stack.environment("arca");

        // the repository: the bucket minio-init creates, on the minio service's S3 port
        assertThat(config.repositories()).hasSize(1);
        URI repo = URI.create(config.repositories().values().iterator().next().url());
        assertThat(repo.getScheme()).isEqualTo("s3");
        String minioInit = String.join("\n", stack.words(stack.service("minio-init").path("command")));
        assertThat(minioInit).contains("mc mb --ignore-existing stack/" + repo.getHost());
        URI endpoint = URI.create(query(repo.getRawQuery()).get("endpoint"));
        assertThat(stack.services().has(endpoint.getHost())).as("endpoint host %s is a service", endpoint.getHost()).isTrue();
        assertThat(stack.words(stack.service(endpoint.getHost()).path("command"))).as("minio's S3 port")
                .containsSequence("server", "/data").doesNotContain("--address");
        assertThat(endpoint.getPort()).isEqualTo(9000);
        assertThat(env).containsKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        assertThat(env.get("AWS_ACCESS_KEY_ID")).isEqualTo(stack.environment("minio").get("MINIO_ROOT_USER"));
        assertThat(env.get("AWS_SECRET_ACCESS_KEY")).isEqualTo(stack.environment("minio").get("MINIO_ROOT_PASSWORD"));

        // the subject: the postgres service's sample database, with its password
        ArcaConfig.SubjectEntry app = config.subjects().get("app");
        assertThat(app).as("subject app (the README's commands name it)").isNotNull();
        URI db = URI.create(app.database());
        assertThat(db.getHost()).isEqualTo("postgres");
        assertThat(db.getPath()).isEqualTo("/" + stack.environment("postgres").get("POSTGRES_DB"));
        assertThat(env.get(app.passwordEnv())).as("passwordEnv %s", app.passwordEnv())
                .isEqualTo(stack.environment("postgres").get("POSTGRES_PASSWORD"));
        assertThat(app.schedules().backup()).isNotBlank();
        assertThat(app.retention()).isNotNull();

        // drills restore into the scratch service (the image has no server programs); PGPASSWORD is its password
        URI scratch = URI.create(app.drill().server());
        assertThat(scratch.getHost()).isEqualTo("postgres-scratch");
        assertThat(stack.services().has(scratch.getHost())).isTrue();
        assertThat(env.get("PGPASSWORD")).isEqualTo(stack.environment("postgres-scratch").get("POSTGRES_PASSWORD"));
        assertThat(stack.service("arca").at("/depends_on/postgres-scratch/condition").asText()).isEqualTo("service_healthy");

        // encryption: the passphrase the server's jobs and 'compose exec arca arca ...' both read
        String passphraseEnv = config.repositories().values().iterator().next().passphraseEnv();
        assertThat(passphraseEnv).isEqualTo("ARCA_PASSPHRASE");
        assertThat(env.get(passphraseEnv)).isNotBlank().isEqualTo(stack.environment("arca-init").get("ARCA_PASSPHRASE"));

        // the API off loopback needs tokens, and they are set
        assertThat(config.server().listen()).startsWith("0.0.0.0:");
        assertThat(env.get(config.server().tokens().readEnv())).isNotBlank();
        assertThat(env.get(config.server().tokens().operatorEnv())).isNotBlank();
    }

    @Test
    void theServerPortIsPublishedProbedAndScraped() throws IOException {
        int port = Integer.parseInt(config().server().listen().replaceAll(".*:", ""));
        List<Integer> ports = new ArrayList<>();
        stack.service("arca").path("ports").forEach(p -> ports.add(ComposeStack.containerPort(p.asText())));
        assertThat(ports).containsExactly(port);
        String probe = String.join(" ", stack.words(stack.service("arca").at("/healthcheck/test")));
        assertThat(probe).contains("/dev/tcp/127.0.0.1/" + port, "GET /healthz ");
        String prometheus = Files.readString(stack.mountAt("prometheus", "/etc/prometheus/prometheus.yml").hostPath());
        assertThat(prometheus).contains("\"arca:" + port + "\"");
        // the image runs read-only as uid 10001: only /tmp is writable
        assertThat(stack.service("arca").path("read_only").asBoolean()).isTrue();
        assertThat(stack.service("arca").path("tmpfs").toString()).contains("/tmp");
        assertThat(stack.service("arca").has("user")).isFalse();
    }

    /**
     * The repository's one-shot creation: the shell script is valid {@code sh}, and each Arca command
     * in it parses and names the mounted configuration.
     */
    @Test
    void theInitScriptIsValidShellAndItsArcaCommandsParse(@TempDir Path tmp) throws Exception {
        List<String> entrypoint = stack.words(stack.service("arca-init").path("entrypoint"));
        assertThat(entrypoint).containsExactly("tini", "--", "sh", "-c");
        List<String> command = stack.words(stack.service("arca-init").path("command"));
        assertThat(command).hasSize(1);
        String script = command.get(0);

        Path file = tmp.resolve("init.sh");
        Files.writeString(file, script);
        ComposeStack.ToolResult syntax = ComposeStack.run("dash", tmp, "sh", "-n", file.toString());
        assertThat(syntax.exitCode()).as("sh -n of the arca-init script:%n%s", syntax.output()).isZero();

        Matcher m = Pattern.compile("(?m)(?:^|exec |; then exec )arca ([^;|&>\\n]+)").matcher(script);
        List<String> subcommands = new ArrayList<>();
        while (m.find()) {
            List<String> args = new ArrayList<>(Arrays.asList(m.group(1).trim().split("\\s+")));
            ParseResult result = parse("arca-init", args);
            String name = result.subcommand().commandSpec().name();
            subcommands.add(name);
            assertThat(result.subcommand().matchedOptionValue("--config", (Object) null)).as("--config of arca %s", args)
                    .hasToString(stack.mountAt("arca-init", CONFIG).hostPath().toString());
            assertThat(result.subcommand().matchedOptionValue("--subject", "")).isEqualTo("app");
        }
        assertThat(subcommands).containsExactly("list", "init");
        // 'list' tells an absent repository by exit code 10 (REPOSITORY_NOT_FOUND), the one the script tests
        assertThat(script).contains("-eq 10 ]");
        assertThat(io.arca.core.error.ErrorCode.REPOSITORY_NOT_FOUND.exitCode()).isEqualTo(10);
    }

    /** Every {@code docker compose exec arca arca ...} line of the README parses, and names a service and the mounted config. */
    @Test
    void theReadmesArcaCommandsParse() throws IOException {
        List<String> lines = Files.readAllLines(stack.dir().resolve("README.md")).stream()
                .map(String::strip).filter(l -> l.startsWith("docker compose exec arca arca ")).toList();
        assertThat(lines).as("arca commands in README.md").hasSizeGreaterThanOrEqualTo(6);
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            List<String> args = Arrays.asList(line.substring("docker compose exec arca arca ".length()).split("\\s+"));
            ParseResult result = parse("arca", args);
            ParseResult command = result.subcommand();
            while (command.subcommand() != null) {
                command = command.subcommand();
            }
            names.add(command.commandSpec().qualifiedName(" "));
            assertThat(args).as(line).contains(CONFIG);
            for (String a : args) {
                if (a.startsWith("postgresql://")) {
                    assertThat(stack.services().has(URI.create(a).getHost())).as("host of %s", a).isTrue();
                }
            }
        }
        assertThat(names).contains("arca backup", "arca list", "arca restore", "arca drill", "arca config check");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }
}

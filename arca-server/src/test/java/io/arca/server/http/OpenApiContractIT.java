package io.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.arca.core.repo.run.RunRecord;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code openapi.json} against the server: the same (method, path) pairs, and real answers over a
 * real repository (successes and every error) valid against the schemas it declares for their
 * status, with the headers it declares.
 */
class OpenApiContractIT {
    static final String READ = HttpApiIT.READ;
    static final String OPERATOR = HttpApiIT.OPERATOR;

    @TempDir
    Path dir;
    ApiFixture fixture;
    RecordingRunQueue queue;
    HttpApi api;
    ApiClient client;
    JsonNode doc;
    final Set<String> validated2xx = new TreeSet<>();

    @BeforeEach
    void setUp() throws IOException {
        fixture = ApiFixture.create(dir.resolve("repos"));
        queue = new RecordingRunQueue(fixture.config.subjects().keySet(), fixture.clock);
        Path readTokens = Files.writeString(dir.resolve("read.tokens"), READ + "\n");
        api = HttpApi.builder(fixture.config).listen("127.0.0.1:0")
                .tokens(new io.arca.app.config.ArcaConfig.Tokens(readTokens.toString(), null, null, "OPS"))
                .environment(Map.of("OPS", OPERATOR)).runQueue(queue).clock(fixture.clock)
                .refreshInterval(Duration.ZERO).metrics(() -> "arca_up 1\n").build();
        api.start();
        client = ApiClient.of(api);
        try (InputStream in = HttpApi.class.getResourceAsStream("openapi.json")) {
            doc = ApiClient.JSON.readTree(in);
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void theDescriptionIsServedAndNamesExactlyTheRoutesServed() {
        HttpResponse<String> served = client.get("/api/v1/openapi.json", null);
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(ApiClient.json(served)).isEqualTo(doc);
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");

        Set<String> documented = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                .forEachRemaining(m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey())));
        assertThat(documented).isEqualTo(new TreeSet<>(api.routes(true)));
        // and the page's files are served but not described
        assertThat(api.routes(false)).contains("GET /", "GET /app.js", "GET /app.css");
    }

    @Test
    void everyOperationHasAnIdAndEveryReferenceResolves() {
        Set<String> ids = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op -> {
            assertThat(op.getValue().has("operationId")).as(op.getKey() + " " + p.getKey()).isTrue();
            assertThat(ids.add(op.getValue().get("operationId").asText())).as("unique operationId").isTrue();
            // every path parameter in the template is declared
            for (String segment : p.getKey().split("/")) {
                if (segment.startsWith("{")) {
                    String name = segment.substring(1, segment.length() - 1);
                    boolean declared = false;
                    for (JsonNode param : op.getValue().path("parameters")) {
                        declared |= param.get("name").asText().equals(name) && param.get("in").asText().equals("path");
                    }
                    assertThat(declared).as(name + " of " + p.getKey()).isTrue();
                }
            }
        }));
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
    }

    @Test
    void realAnswersMatchTheirSchemas() {
        String run = fixture.appBackupRun;
        // successes
        check("GET", "/healthz", null, null, 200);
        check("GET", "/readyz", null, null, 200);
        check("GET", "/metrics", null, null, 200);
        check("GET", "/api/v1/openapi.json", null, null, 200);
        check("GET", "/api/v1/backups", READ, null, 200);
        check("GET", "/api/v1/backups?subject=app&limit=1", READ, null, 200);
        check("GET", "/api/v1/backups/" + fixture.appNewest, READ, null, 200);
        check("GET", "/api/v1/runs?since=30d", READ, null, 200);
        check("GET", "/api/v1/runs/" + run, READ, null, 200);
        check("GET", "/api/v1/drills", READ, null, 200);
        check("GET", "/api/v1/status", READ, null, 200);
        JsonNode queued = check("POST", "/api/v1/subjects/app/backup", OPERATOR, null, 202);
        check("POST", "/api/v1/subjects/app/verify", OPERATOR, "{}", 202);
        check("POST", "/api/v1/subjects/shop/drill", OPERATOR, null, 202);
        // a run in the queue, as the list and by id show it
        check("GET", "/api/v1/runs", READ, null, 200);
        check("GET", "/api/v1/runs/" + queued.get("runId").asText(), READ, null, 200);
        queue.start(queued.get("runId").asText());
        check("GET", "/api/v1/runs/" + queued.get("runId").asText(), READ, null, 200);

        // errors
        check("GET", "/api/v1/backups", null, null, 401);
        check("GET", "/api/v1/backups?sort=size", READ, null, 400);
        check("GET", "/api/v1/backups/nope", READ, null, 400);
        check("GET", "/api/v1/backups/20200101T000000Z-00000000", READ, null, 404);
        check("GET", "/api/v1/runs?since=soon", READ, null, 400);
        check("GET", "/api/v1/runs/20200101T000000Z-00000000", READ, null, 404);
        check("GET", "/api/v1/runs/bad", "not-a-token", null, 401);
        check("GET", "/api/v1/drills?limit=-1", READ, null, 400);
        check("GET", "/api/v1/status?x=y", READ, null, 400);
        check("POST", "/api/v1/subjects/app/backup", READ, null, 403);
        check("POST", "/api/v1/subjects/app/backup", null, null, 401);
        check("POST", "/api/v1/subjects/nobody/verify", OPERATOR, null, 404);
        check("POST", "/api/v1/subjects/reports/drill", OPERATOR, null, 400);
        check("POST", "/api/v1/subjects/app/drill", OPERATOR, "x".repeat(HttpApi.MAX_BODY_BYTES + 1), 413);
        queue.refuse = new io.arca.core.error.ArcaException(io.arca.core.error.ErrorCode.LOCK_HELD, "not the leader");
        check("POST", "/api/v1/subjects/app/backup", OPERATOR, null, 409);
        queue.refuse = null;
        check("DELETE", "/api/v1/backups", OPERATOR, null, 405);
        check("GET", "/api/v1/subjects/app/backup", OPERATOR, null, 405);
        check("GET", "/healthz?", null, null, 200);

        // every operation's success was validated at least once
        Set<String> operations = new TreeSet<>(api.routes(true));
        assertThat(validated2xx).isEqualTo(operations);
    }

    @Test
    void notReadyAndUnavailableAnswersMatchToo() throws IOException {
        Files.move(fixture.root.resolve("main/arca.json"), fixture.root.resolve("main/arca.json.moved"));
        check("GET", "/readyz", null, null, 503);
        api.close();
        api = HttpApi.builder(fixture.config).listen("127.0.0.1:0").tokens(null).clock(fixture.clock)
                .refreshInterval(Duration.ZERO).build();
        api.start();
        client = ApiClient.of(api);
        check("GET", "/api/v1/backups", null, null, 503);
        check("GET", "/metrics", null, null, 503);
        check("POST", "/api/v1/subjects/app/backup", null, null, 503);
    }

    /**
     * Sends the request, finds its operation in the description, and checks the answer: its status
     * is declared, its body is valid against the declared schema, the declared headers are there.
     */
    private JsonNode check(String method, String pathAndQuery, String token, String body, int status) {
        HttpResponse<String> r = switch (method) {
            case "GET" -> client.get(pathAndQuery, token);
            case "POST" -> client.post(pathAndQuery, token, body);
            default -> client.method(method, pathAndQuery, token);
        };
        assertThat(r.statusCode()).as(method + " " + pathAndQuery + ": " + r.body()).isEqualTo(status);
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        String template = template(path);
        JsonNode pathItem = doc.get("paths").get(template);
        JsonNode operation = pathItem.get(method.toLowerCase(java.util.Locale.ROOT));
        if (operation == null) {
            // 405: the path's operations each declare it
            assertThat(status).isEqualTo(405);
            operation = pathItem.elements().next();
        }
        JsonNode response = operation.get("responses").get(Integer.toString(status));
        assertThat(response).as("status %d of %s %s is declared", status, method, template).isNotNull();
        response = resolve(response);
        response.path("headers").fieldNames().forEachRemaining(h ->
                assertThat(r.headers().firstValue(h)).as("header %s of %d %s %s", h, status, method, template)
                        .isPresent());
        String type = r.headers().firstValue("Content-Type").orElse("");
        JsonNode content = response.get("content");
        String declaredType = content.fieldNames().next();
        assertThat(type).as("content type").startsWith(declaredType);
        if (status / 100 == 2) {
            validated2xx.add(method + " " + template);
        }
        if (!declaredType.equals("application/json")) {
            return null;
        }
        JsonNode json = ApiClient.json(r);
        Set<ValidationMessage> errors = schema(content.get(declaredType).get("schema")).validate(json);
        assertThat(errors).as("%s %s -> %d: %s", method, pathAndQuery, status, r.body()).isEmpty();
        return json;
    }

    private String template(String path) {
        List<String> segments = Router.split(path);
        Iterator<String> templates = doc.get("paths").fieldNames();
        while (templates.hasNext()) {
            String t = templates.next();
            List<String> ts = Router.split(t);
            if (ts.size() != segments.size()) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < ts.size() && match; i++) {
                match = ts.get(i).startsWith("{") || ts.get(i).equals(segments.get(i));
            }
            if (match) {
                return t;
            }
        }
        throw new AssertionError("no path of openapi.json matches " + path);
    }

    private JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            node = doc.at(node.get("$ref").asText().substring(1));
        }
        return node;
    }

    /** The schema with the description's component schemas as its {@code $defs}, in JSON Schema 2020-12. */
    private JsonSchema schema(JsonNode schema) {
        ObjectNode root = ApiClient.JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("$defs", doc.get("components").get("schemas"));
        root.setAll((ObjectNode) schema);
        String text = root.toString().replace("#/components/schemas/", "#/$defs/");
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(text, config);
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref")) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }

    static RunRecord.Job job(String name) {
        return RunRecord.Job.of(name);
    }
}

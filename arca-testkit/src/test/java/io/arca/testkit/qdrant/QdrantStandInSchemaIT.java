package io.arca.testkit.qdrant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stand-in against Qdrant's OpenAPI schema ({@code openapi-v1.19.x.json}, the part of
 * {@code qdrant/qdrant} {@code docs/redoc/v1.19.x/openapi.json} Arca uses, its source recorded in
 * the file): every route exists there with the same method, operation id and path parameters and
 * reads only query parameters the schema declares; and every route's live answers, success and
 * error, conform to the response schema the operation declares for that status code.
 */
class QdrantStandInSchemaIT {
    private static final String KEY = "test-key";
    private static final String READ_KEY = "read-only-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static OpenApiSchema schema;
    private static QdrantStandIn qdrant;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** operationId + " " + status of every answer checked against the schema. */
    private final Set<String> checked = new TreeSet<>();

    @BeforeAll
    static void start() {
        schema = OpenApiSchema.load();
        qdrant = QdrantStandIn.start(KEY, READ_KEY);
    }

    @AfterAll
    static void stop() {
        qdrant.close();
    }

    @Test
    void theSchemaFileSaysWhereItComesFrom() {
        assertThat(schema.root().path("info").path("version").asText()).isEqualTo("v1.19.x");
        assertThat(schema.root().path("x-arca-source").asText()).contains("docs/redoc/v1.19.x/openapi.json")
                .contains(QdrantStandIn.COMMIT);
    }

    @Test
    void everyRouteIsInTheSchemaWithItsParameters() {
        for (QdrantStandIn.Route route : QdrantStandIn.routes()) {
            JsonNode op = schema.operation(route.method(), route.template()).orElse(null);
            assertThat(op).as(route.method() + " " + route.template() + " in the schema").isNotNull();
            assertThat(op.path("operationId").asText()).as(route.toString()).isEqualTo(route.operationId());
            List<String> pathParams = new ArrayList<>();
            Matcher m = Pattern.compile("\\{([^}]+)}").matcher(route.template());
            while (m.find()) {
                pathParams.add(m.group(1));
            }
            assertThat(OpenApiSchema.parameters(op, "path")).as(route + " path parameters")
                    .containsExactlyInAnyOrderElementsOf(pathParams);
            assertThat(OpenApiSchema.parameters(op, "query")).as(route + " query parameters")
                    .containsAll(route.query());
        }
    }

    @Test
    void everyRouteAnswersAsTheSchemaSays() throws Exception {
        String c = "schema-check ü";
        String c2 = "schema-check-2";
        String p = "/collections/" + QdrantTestClient.enc(c);

        conforms("root", "GET", "/", null, 200);
        ObjectNode create = JsonNodeFactory.instance.objectNode();
        create.putObject("vectors").put("size", 3).put("distance", "Dot");
        conforms("create_collection", "PUT", p, create, 200);
        conforms("create_collection", "PUT", p, create, 409);
        conforms("create_collection", "PUT", "/collections/bad:name", create, 400);
        ObjectNode points = JsonNodeFactory.instance.objectNode();
        var list = points.putArray("points");
        list.addObject().put("id", 1).putArray("vector").add(0.5).add(1).add(-2);
        list.addObject().put("id", "5c56c793-69f3-4fbf-87e6-c4bf54c28c26").putArray("vector").add(0).add(0).add(1);
        ((ObjectNode) list.get(0)).putObject("payload").put("city", "Berlin");
        conforms("upsert_points", "PUT", p + "/points?wait=true", points, 200);
        ObjectNode wrongDim = points.deepCopy();
        ((ObjectNode) wrongDim.get("points").get(0)).putArray("vector").add(1);
        conforms("upsert_points", "PUT", p + "/points?wait=true", wrongDim, 400);
        ObjectNode get = JsonNodeFactory.instance.objectNode().put("with_vector", true);
        get.putArray("ids").add(1).add("5c56c793-69f3-4fbf-87e6-c4bf54c28c26");
        JsonNode records = conforms("get_points", "POST", p + "/points", get, 200);
        assertThat(records.path("result")).hasSize(2);
        conforms("get_collections", "GET", "/collections", null, 200);
        JsonNode info = conforms("get_collection", "GET", p, null, 200);
        assertThat(info.path("result").path("points_count").asLong()).isEqualTo(2);
        conforms("get_collection", "GET", "/collections/missing", null, 404);

        JsonNode snapshot = conforms("create_snapshot", "POST", p + "/snapshots?wait=true", null, 200).path("result");
        conforms("create_snapshot", "POST", "/collections/missing/snapshots", null, 404);
        String name = snapshot.path("name").asText();
        assertThat(name).startsWith(c + "-").endsWith(".snapshot");
        conforms("list_snapshots", "GET", p + "/snapshots", null, 200);
        HttpResponse<byte[]> file = send("GET", p + "/snapshots/" + QdrantTestClient.enc(name), null, KEY);
        conformsBinary("get_snapshot", file);
        assertThat(file.body()).hasSize(snapshot.path("size").asInt());
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.body())))
                .isEqualTo(snapshot.path("checksum").asText());
        assertThat(SnapshotTar.read(new ByteArrayInputStream(file.body()))).containsKeys("config.json", "version.info",
                "payload_index.json", "0/shard_config.json");
        conforms("get_snapshot", "GET", p + "/snapshots/nope.snapshot", null, 404);

        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.body()));
        String upload = "/collections/" + c2 + "/snapshots/upload?priority=snapshot&checksum=";
        conformsUpload(upload + sha.replace(sha.charAt(0), sha.charAt(0) == 'a' ? 'b' : 'a'), file.body(), 400);
        assertThat(qdrant.collectionNames()).doesNotContain(c2);
        conformsUpload(upload + sha, file.body(), 200);
        assertThat(new QdrantTestClient(qdrant).pointsCount(c2)).isEqualTo(2);
        conformsUpload("/collections/" + c2 + "/snapshots/upload?wait=false", file.body(), 202);

        conforms("create_snapshot", "POST", p + "/snapshots?wait=false", null, 202);
        conforms("delete_snapshot", "DELETE", p + "/snapshots/" + QdrantTestClient.enc(name), null, 200);
        conforms("delete_snapshot", "DELETE", p + "/snapshots/" + QdrantTestClient.enc(name), null, 404);
        assertThat(conforms("delete_collection", "DELETE", p, null, 200).path("result").asBoolean()).isTrue();
        assertThat(conforms("delete_collection", "DELETE", p, null, 200).path("result").asBoolean()).isFalse();
        conforms("delete_collection", "DELETE", "/collections/" + c2, null, 200);

        Set<String> operations = new TreeSet<>();
        QdrantStandIn.routes().forEach(r -> operations.add(r.operationId() + " 200"));
        assertThat(checked).as("routes answered successfully and checked").containsAll(operations);
    }

    @Test
    void apiKeysAreCheckedAsQdrantChecksThem() throws Exception {
        HttpResponse<byte[]> none = send("GET", "/collections", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        // Qdrant's auth middleware answers in plain text, outside the schema
        assertThat(new String(none.body(), StandardCharsets.UTF_8))
                .isEqualTo("Must provide an API key or an Authorization bearer token");
        HttpResponse<byte[]> wrong = send("GET", "/collections", null, "wrong");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(new String(wrong.body(), StandardCharsets.UTF_8)).isEqualTo("Invalid API key or JWT");
        HttpResponse<byte[]> bearer = http.send(HttpRequest.newBuilder(URI.create(qdrant.url() + "/collections"))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(bearer.statusCode()).isEqualTo(200);
        assertThat(send("GET", "/", null, null).statusCode()).as("GET / is open, as in Qdrant").isEqualTo(200);
        assertThat(send("GET", "/collections", null, READ_KEY).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> write = send("PUT", "/collections/ro", JsonNodeFactory.instance.objectNode(), READ_KEY);
        assertThat(write.statusCode()).isEqualTo(403);
        JsonNode body = JSON.readTree(write.body());
        assertThat(schema.check(OpenApiSchema.response(schema.operation("PUT", "/collections/{collection_name}")
                .orElseThrow(), 403).orElseThrow().path("content").path("application/json").path("schema"), body))
                .isEmpty();
        assertThat(body.path("status").path("error").asText()).isEqualTo("Forbidden: Global manage access is required");
    }

    private JsonNode conforms(String operationId, String method, String path, JsonNode body, int status)
            throws Exception {
        HttpResponse<byte[]> r = send(method, path, body, KEY);
        return conformsJson(operationId, method, path, r, status);
    }

    private JsonNode conformsJson(String operationId, String method, String path, HttpResponse<byte[]> r, int status)
            throws IOException {
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(method + " " + path + ": " + text).isEqualTo(status);
        QdrantStandIn.Route route = route(operationId);
        JsonNode op = schema.operation(route.method(), route.template()).orElseThrow();
        JsonNode response = OpenApiSchema.response(op, status).orElseThrow(
                () -> new AssertionError(operationId + " declares no response " + status));
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode responseSchema = response.path("content").path("application/json").path("schema");
        JsonNode value = JSON.readTree(r.body());
        if (!responseSchema.isMissingNode()) {
            assertThat(schema.check(responseSchema, value)).as(operationId + " " + status + ": " + text).isEmpty();
        } else {
            // GET / declares its errors without a body schema; Qdrant answers them with the envelope
            assertThat(status).isEqualTo(200);
        }
        if (!operationId.equals("root")) {
            assertThat(value.has("time")).as("envelope time").isTrue();
            if (status / 100 == 2) {
                assertThat(value.path("status").asText()).isIn("ok", "accepted");
            } else {
                assertThat(value.path("status").path("error").asText()).as("error body").isNotEmpty();
            }
        }
        checked.add(operationId + " " + status);
        return value;
    }

    private void conformsBinary(String operationId, HttpResponse<byte[]> r) {
        assertThat(r.statusCode()).isEqualTo(200);
        QdrantStandIn.Route route = route(operationId);
        JsonNode op = schema.operation(route.method(), route.template()).orElseThrow();
        assertThat(OpenApiSchema.response(op, 200).orElseThrow().path("content").has("application/octet-stream"))
                .isTrue();
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        checked.add(operationId + " 200");
    }

    private void conformsUpload(String path, byte[] file, int status) throws Exception {
        String boundary = "b0undary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"s.snapshot\""
                + "\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(qdrant.url() + path)).header("api-key", KEY)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        conformsJson("recover_from_uploaded_snapshot", "POST", path, r, status);
    }

    private static QdrantStandIn.Route route(String operationId) {
        return QdrantStandIn.routes().stream().filter(r -> r.operationId().equals(operationId)).findFirst()
                .orElseThrow();
    }

    private HttpResponse<byte[]> send(String method, String path, JsonNode body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(qdrant.url() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("api-key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}

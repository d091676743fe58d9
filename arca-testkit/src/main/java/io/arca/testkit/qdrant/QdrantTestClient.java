package io.arca.testkit.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * Test setup and checks through Qdrant's REST API, against the stand-in or a real Qdrant:
 * create collections, seed points, read them back, list snapshots. Not Arca's client: tests
 * check Arca's work with an independent one.
 */
public final class QdrantTestClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String url;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public QdrantTestClient(String url, String apiKey) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.apiKey = apiKey;
    }

    public QdrantTestClient(QdrantServer server) {
        this(server.url(), server.apiKey());
    }

    /** A collection name no other test uses: {@code prefix-<random>}. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a collection of one unnamed vector of {@code size} with the Dot distance (which keeps vectors as given). */
    public void createCollection(String name, int size) {
        ObjectNode body = NODES.objectNode();
        body.putObject("vectors").put("size", size).put("distance", "Dot");
        call("PUT", "/collections/" + enc(name), body);
    }

    /**
     * Upserts {@code count} points with ids {@code 1..count} (every fifth a UUID), vectors of
     * multiples of 1/8 (exact in float32) drawn from {@code seed}, and a payload; returns them as sent.
     */
    public List<JsonNode> seed(String name, int size, int count, long seed) {
        Random random = new Random(seed);
        List<JsonNode> points = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ObjectNode p = NODES.objectNode();
            if (i % 5 == 0) {
                p.put("id", new UUID(seed, i).toString());
            } else {
                p.put("id", i);
            }
            ArrayNode v = p.putArray("vector");
            for (int d = 0; d < size; d++) {
                v.add((random.nextInt(64) - 32) / 8.0);
            }
            p.putObject("payload").put("n", i).put("tag", "t" + random.nextInt(10)).put("text", "point ü " + i);
            points.add(p);
        }
        for (int from = 0; from < points.size(); from += 200) {
            ObjectNode body = NODES.objectNode();
            body.putArray("points").addAll(points.subList(from, Math.min(points.size(), from + 200)));
            call("PUT", "/collections/" + enc(name) + "/points?wait=true", body);
        }
        return points;
    }

    /** The points with these ids, with payloads and vectors, as Qdrant returns them. */
    public List<JsonNode> retrieve(String name, List<JsonNode> ids) {
        ObjectNode body = NODES.objectNode().put("with_payload", true).put("with_vector", true);
        body.putArray("ids").addAll(ids);
        List<JsonNode> out = new ArrayList<>();
        call("POST", "/collections/" + enc(name) + "/points", body).path("result").forEach(out::add);
        return out;
    }

    /** The collection's info ({@code result} of {@code GET /collections/{name}}), empty when it does not exist. */
    public Optional<JsonNode> info(String name) {
        HttpResponse<String> r = send("GET", "/collections/" + enc(name), null);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(check(r).path("result"));
    }

    public boolean exists(String name) {
        return info(name).isPresent();
    }

    public long pointsCount(String name) {
        return info(name).orElseThrow(() -> new IllegalStateException("no collection " + name))
                .path("points_count").asLong();
    }

    /** The names of the collection's snapshots on the server. */
    public List<String> snapshots(String name) {
        List<String> out = new ArrayList<>();
        call("GET", "/collections/" + enc(name) + "/snapshots", null).path("result")
                .forEach(s -> out.add(s.path("name").asText()));
        return out;
    }

    public List<String> collections() {
        List<String> out = new ArrayList<>();
        call("GET", "/collections", null).path("result").path("collections")
                .forEach(c -> out.add(c.path("name").asText()));
        return out;
    }

    /** Deletes a collection if it exists. */
    public void deleteCollection(String name) {
        call("DELETE", "/collections/" + enc(name), null);
    }

    /** A request; fails unless Qdrant answers 2xx. Returns the body. */
    public JsonNode call(String method, String path, JsonNode body) {
        return check(send(method, path, body));
    }

    /** A request, whatever the answer. */
    public HttpResponse<String> send(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (apiKey != null) {
            b.header("api-key", apiKey);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode check(HttpResponse<String> r) {
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(r.request().method() + " " + r.request().uri() + " answered "
                    + r.statusCode() + ": " + r.body());
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A path segment, percent-encoded. */
    public static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

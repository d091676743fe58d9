package io.arca.testkit.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A stand-in for a single-node Qdrant 1.19 REST API, for tests: no Qdrant server can be installed
 * here (see {@code DESIGN.md} §9). It listens on {@code 127.0.0.1} on a free port and implements
 * the collection, point and snapshot routes Arca uses ({@link #routes()}) as Qdrant's OpenAPI
 * schema defines them: the response envelope {@code {result, status, time}}, error bodies
 * {@code {status: {error}, time}} with Qdrant's status codes and messages, the {@code api-key}
 * header (or {@code Authorization: Bearer}) with Qdrant's plain-text 401, a read-only key that
 * gets 403 on writes, and {@code GET /} left open as Qdrant leaves it. {@code
 * QdrantStandInSchemaTest} checks every route and its live answers against the schema.
 *
 * <p>Snapshots are real tar files in Qdrant's layout ({@code version.info}, {@code config.json},
 * {@code payload_index.json}, shard directory {@code 0/}), written to a temporary directory and
 * served as files with a {@code .checksum} (SHA-256) as Qdrant does. Where real Qdrant keeps
 * segments and a WAL in {@code 0/}, the stand-in keeps its points as {@code 0/points.json}: its
 * snapshots restore into the stand-in, and a real Qdrant would refuse them (and the stand-in
 * one of Qdrant's). An upload is spooled to a file, its SHA-256 checked against {@code
 * checksum}, unpacked, then recovered: a missing collection is created from the snapshot's
 * config first (as Qdrant does, so a recovery failing after that leaves the collection behind),
 * an existing one must have the same vectors config and gets the snapshot's points.
 *
 * <p>Faults for tests: {@link #delay}, {@link #stallDownloadsAfter}, {@link #failRecoveryAfterCreate},
 * {@link #yellowAfterRecovery}.
 */
public final class QdrantStandIn implements QdrantServer {
    /** The Qdrant version the stand-in reports and whose schema it follows. */
    public static final String VERSION = "1.19.0";
    /** The commit of qdrant/qdrant whose {@code docs/redoc/v1.19.x/openapi.json} it follows. */
    public static final String COMMIT = "74f3e85b9473c62560006c043e13737ce6b48412";
    private static final long PEER_ID = 3766212330831337L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final String INVALID_NAME_CHARS = "<>:\"/\\|?*\0\u001f";
    private static final DateTimeFormatter SNAPSHOT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss");

    /**
     * A route of the stand-in, as the OpenAPI schema names it.
     *
     * @param method the HTTP method
     * @param template the path template: {@code /collections/{collection_name}/snapshots}
     * @param operationId the schema's operation id
     * @param query the query parameters the stand-in reads
     */
    public record Route(String method, String template, String operationId, List<String> query) {
        boolean matches(String m, List<String> segments) {
            if (!method.equals(m)) {
                return false;
            }
            List<String> parts = segmentsOf(template);
            if (parts.size() != segments.size()) {
                return false;
            }
            for (int i = 0; i < parts.size(); i++) {
                if (!parts.get(i).startsWith("{") && !parts.get(i).equals(segments.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Route> ROUTES = List.of(
            new Route("GET", "/", "root", List.of()),
            new Route("GET", "/collections", "get_collections", List.of()),
            new Route("GET", "/collections/{collection_name}", "get_collection", List.of()),
            new Route("PUT", "/collections/{collection_name}", "create_collection", List.of("timeout")),
            new Route("DELETE", "/collections/{collection_name}", "delete_collection", List.of("timeout")),
            new Route("PUT", "/collections/{collection_name}/points", "upsert_points", List.of("wait")),
            new Route("POST", "/collections/{collection_name}/points", "get_points", List.of()),
            new Route("GET", "/collections/{collection_name}/snapshots", "list_snapshots", List.of()),
            new Route("POST", "/collections/{collection_name}/snapshots", "create_snapshot", List.of("wait")),
            new Route("POST", "/collections/{collection_name}/snapshots/upload", "recover_from_uploaded_snapshot",
                    List.of("wait", "priority", "checksum")),
            new Route("GET", "/collections/{collection_name}/snapshots/{snapshot_name}", "get_snapshot", List.of()),
            new Route("DELETE", "/collections/{collection_name}/snapshots/{snapshot_name}", "delete_snapshot",
                    List.of("wait")));

    private final HttpServer server;
    private final ExecutorService executor;
    private final Path dir;
    private final String apiKey;
    private final String readOnlyApiKey;
    private final Map<String, Collection> collections = new TreeMap<>();
    private final Map<String, Duration> delays = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private volatile long stallDownloadsAfter = -1;
    private volatile boolean failRecoveryAfterCreate;
    private volatile Duration yellowAfterRecovery = Duration.ZERO;

    private static final class Collection {
        final ObjectNode params;
        final Map<String, ObjectNode> points = new LinkedHashMap<>();
        final Map<String, Path> snapshots = new TreeMap<>();
        Instant yellowUntil = Instant.EPOCH;
        long operations;

        Collection(ObjectNode params) {
            this.params = params;
        }
    }

    private QdrantStandIn(String apiKey, String readOnlyApiKey) throws IOException {
        this.apiKey = apiKey;
        this.readOnlyApiKey = readOnlyApiKey;
        this.dir = Files.createTempDirectory("qdrant-stand-in");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "qdrant-stand-in");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A stand-in without API keys. */
    public static QdrantStandIn start() {
        return start(null, null);
    }

    /**
     * A stand-in that requires {@code apiKey} on every route but {@code GET /}, and accepts
     * {@code readOnlyApiKey} (may be null) for reads only.
     */
    public static QdrantStandIn start(String apiKey, String readOnlyApiKey) {
        try {
            return new QdrantStandIn(apiKey, readOnlyApiKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The routes it implements. */
    public static List<Route> routes() {
        return ROUTES;
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public String apiKey() {
        return apiKey;
    }

    /** Sleeps {@code delay} before answering the operation (a schema operation id: {@code create_snapshot}). */
    public void delay(String operationId, Duration delay) {
        if (ROUTES.stream().noneMatch(r -> r.operationId().equals(operationId))) {
            throw new IllegalArgumentException("no route " + operationId);
        }
        delays.put(operationId, delay);
    }

    /** Snapshot downloads send {@code bytes} and then nothing, until the client goes away; -1 ends this. */
    public void stallDownloadsAfter(long bytes) {
        stallDownloadsAfter = bytes;
    }

    /**
     * Recoveries of a collection that does not exist fail after creating it, as a Qdrant whose
     * shard recovery fails does (it creates the collection from the snapshot's config first).
     */
    public void failRecoveryAfterCreate(boolean fail) {
        failRecoveryAfterCreate = fail;
    }

    /** A recovered collection reports status yellow (optimizing) for this long. */
    public void yellowAfterRecovery(Duration duration) {
        yellowAfterRecovery = duration;
    }

    /** How often an operation was called (a schema operation id). */
    public int calls(String operationId) {
        AtomicInteger n = calls.get(operationId);
        return n == null ? 0 : n.get();
    }

    /** The collections it holds. */
    public synchronized Set<String> collectionNames() {
        return new TreeSet<>(collections.keySet());
    }

    /** The snapshot files it holds for a collection (empty when there is no such collection). */
    public synchronized List<String> snapshotNames(String collection) {
        Collection c = collections.get(collection);
        return c == null ? List.of() : List.copyOf(c.snapshots.keySet());
    }

    /** The snapshot files in its snapshot directory, of any collection. */
    public List<String> snapshotFiles() {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- request handling ----

    private static List<String> segmentsOf(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        long started = System.nanoTime();
        try {
            List<String> segments = new ArrayList<>();
            for (String s : segmentsOf(ex.getRequestURI().getRawPath())) {
                segments.add(decode(s));
            }
            Route route = ROUTES.stream().filter(r -> r.matches(ex.getRequestMethod(), segments)).findFirst()
                    .orElse(null);
            if (route == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            calls.computeIfAbsent(route.operationId(), k -> new AtomicInteger()).incrementAndGet();
            Duration delay = delays.get(route.operationId());
            if (delay != null) {
                Thread.sleep(delay.toMillis());
            }
            if (!route.operationId().equals("root") && !authorized(ex, route, started)) {
                return;
            }
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String name = segments.size() > 1 ? segments.get(1) : null;
            switch (route.operationId()) {
                case "root" -> {
                    ObjectNode v = NODES.objectNode().put("title", "qdrant - vector search engine")
                            .put("version", VERSION).put("commit", COMMIT);
                    json(ex, 200, v);
                }
                case "get_collections" -> ok(ex, started, listCollections());
                case "get_collection" -> ok(ex, started, collectionInfo(name));
                case "create_collection" -> ok(ex, started, createCollection(name, readJson(ex)));
                case "delete_collection" -> ok(ex, started, NODES.booleanNode(deleteCollection(name)));
                case "upsert_points" -> ok(ex, started, upsert(name, readJson(ex)));
                case "get_points" -> ok(ex, started, retrieve(name, readJson(ex)));
                case "list_snapshots" -> ok(ex, started, listSnapshots(name));
                case "create_snapshot" -> {
                    JsonNode description = createSnapshot(name);
                    if (!flag(query, "wait", true)) {
                        accepted(ex, started);
                    } else {
                        ok(ex, started, description);
                    }
                }
                case "get_snapshot" -> download(ex, name, segments.get(3));
                case "delete_snapshot" -> {
                    deleteSnapshot(name, segments.get(3));
                    if (!flag(query, "wait", true)) {
                        accepted(ex, started);
                    } else {
                        ok(ex, started, NODES.booleanNode(true));
                    }
                }
                case "recover_from_uploaded_snapshot" -> {
                    upload(ex, name, query);
                    if (!flag(query, "wait", true)) {
                        accepted(ex, started);
                    } else {
                        ok(ex, started, NODES.booleanNode(true));
                    }
                }
                default -> throw new IllegalStateException(route.operationId());
            }
        } catch (QdrantError e) {
            error(ex, started, e.status, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            try {
                error(ex, started, 500, "Service internal error: " + e);
            } catch (IOException | RuntimeException ignored) {
                // the response was already under way, or the client went away
            }
        } finally {
            ex.close();
        }
    }

    /** Qdrant's auth middleware: plain-text 401 without a valid key; 403 (JSON) on writes with the read-only key. */
    private boolean authorized(HttpExchange ex, Route route, long started) throws IOException {
        if (apiKey == null && readOnlyApiKey == null) {
            return true;
        }
        String key = ex.getRequestHeaders().getFirst("api-key");
        if (key == null) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            key = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        }
        if (key == null) {
            text(ex, 401, "Must provide an API key or an Authorization bearer token");
            return false;
        }
        if (key.equals(apiKey)) {
            return true;
        }
        if (key.equals(readOnlyApiKey)) {
            boolean read = route.method().equals("GET") || route.operationId().equals("get_points");
            if (!read) {
                error(ex, started, 403, "Forbidden: Global manage access is required");
            }
            return read;
        }
        text(ex, 401, "Invalid API key or JWT");
        return false;
    }

    private static final class QdrantError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        QdrantError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private static QdrantError notFound(String collection) {
        return new QdrantError(404, "Not found: Collection `" + collection + "` doesn't exist!");
    }

    private Collection require(String name) {
        Collection c = collections.get(name);
        if (c == null) {
            throw notFound(name);
        }
        return c;
    }

    private static void checkStrictName(String name) {
        for (char c : name.toCharArray()) {
            if (INVALID_NAME_CHARS.indexOf(c) >= 0) {
                throw new QdrantError(400, "Validation error in path parameters: [collection_name: collection name"
                        + " cannot contain \"" + c + "\" char]");
            }
        }
        if (name.isEmpty() || name.length() > 255) {
            throw new QdrantError(400, "Validation error in path parameters: [collection_name: length]");
        }
    }

    private synchronized JsonNode listCollections() {
        ArrayNode list = NODES.arrayNode();
        collections.keySet().forEach(n -> list.addObject().put("name", n));
        ObjectNode result = NODES.objectNode();
        result.set("collections", list);
        return result;
    }

    private synchronized JsonNode collectionInfo(String name) {
        Collection c = require(name);
        ObjectNode info = NODES.objectNode();
        info.put("status", Instant.now().isBefore(c.yellowUntil) ? "yellow" : "green");
        info.put("optimizer_status", "ok");
        info.put("indexed_vectors_count", 0);
        info.put("points_count", c.points.size());
        info.put("segments_count", 1);
        info.set("config", config(c.params));
        info.set("payload_schema", NODES.objectNode());
        return info;
    }

    /** The collection config, with the defaults of a standalone Qdrant 1.19. */
    private static ObjectNode config(ObjectNode params) {
        ObjectNode config = NODES.objectNode();
        config.set("params", params);
        config.putObject("hnsw_config").put("m", 16).put("ef_construct", 100).put("full_scan_threshold", 10000)
                .put("max_indexing_threads", 0).put("on_disk", false);
        config.putObject("optimizer_config").put("deleted_threshold", 0.2).put("vacuum_min_vector_number", 1000)
                .put("default_segment_number", 0).putNull("max_segment_size").putNull("memmap_threshold")
                .put("indexing_threshold", 10000).put("flush_interval_sec", 5).putNull("max_optimization_threads");
        config.putObject("wal_config").put("wal_capacity_mb", 32).put("wal_segments_ahead", 0);
        config.putNull("quantization_config");
        config.putObject("strict_mode_config").put("enabled", false);
        return config;
    }

    private synchronized JsonNode createCollection(String name, JsonNode body) {
        checkStrictName(name);
        if (collections.containsKey(name)) {
            throw new QdrantError(409, "Wrong input: Collection `" + name + "` already exists!");
        }
        collections.put(name, new Collection(params(body)));
        return NODES.booleanNode(true);
    }

    private static ObjectNode params(JsonNode create) {
        ObjectNode params = NODES.objectNode();
        JsonNode vectors = create == null ? null : create.get("vectors");
        params.set("vectors", vectors == null || vectors.isNull() ? NODES.objectNode() : vectors.deepCopy());
        params.put("shard_number", 1).put("replication_factor", 1).put("write_consistency_factor", 1)
                .put("on_disk_payload", true);
        return params;
    }

    private synchronized boolean deleteCollection(String name) throws IOException {
        Collection c = collections.remove(name);
        if (c == null) {
            return false;
        }
        for (Path p : c.snapshots.values()) {
            Files.deleteIfExists(p);
            Files.deleteIfExists(checksumFile(p));
        }
        return true;
    }

    private synchronized JsonNode upsert(String name, JsonNode body) {
        Collection c = require(name);
        JsonNode points = body == null ? null : body.get("points");
        if (points == null || !points.isArray()) {
            throw new QdrantError(400, "Bad request: the stand-in takes points as a PointsList: {\"points\": [...]}");
        }
        for (JsonNode p : points) {
            checkVector(c, p.get("vector"));
        }
        for (JsonNode p : points) {
            ObjectNode point = NODES.objectNode();
            point.set("id", id(p.get("id")));
            point.set("vector", p.get("vector"));
            point.set("payload", p.has("payload") && !p.get("payload").isNull() ? p.get("payload") : NODES.objectNode());
            c.points.put(point.get("id").toString(), point);
        }
        return NODES.objectNode().put("operation_id", c.operations++).put("status", "completed");
    }

    private static JsonNode id(JsonNode id) {
        if (id != null && (id.isIntegralNumber() && id.asLong() >= 0 || id.isTextual())) {
            return id;
        }
        throw new QdrantError(400, "Format error in JSON body: data did not match any variant of untagged enum"
                + " ExtendedPointId");
    }

    private static void checkVector(Collection c, JsonNode vector) {
        JsonNode size = c.params.path("vectors").get("size");
        if (size != null && vector != null && vector.isArray() && vector.size() != size.asInt()) {
            throw new QdrantError(400, "Wrong input: Vector dimension error: expected dim: " + size.asInt() + ", got "
                    + vector.size());
        }
        if (vector == null || vector.isNull()) {
            throw new QdrantError(400, "Format error in JSON body: missing field `vector`");
        }
    }

    private synchronized JsonNode retrieve(String name, JsonNode body) {
        Collection c = require(name);
        boolean withPayload = body.path("with_payload").asBoolean(true);
        boolean withVector = body.path("with_vector").asBoolean(false);
        ArrayNode out = NODES.arrayNode();
        for (JsonNode id : body.path("ids")) {
            ObjectNode p = c.points.get(id(id).toString());
            if (p != null) {
                ObjectNode record = out.addObject();
                record.set("id", p.get("id"));
                record.set("payload", withPayload ? p.get("payload") : null);
                record.set("vector", withVector ? p.get("vector") : null);
            }
        }
        return out;
    }

    // ---- snapshots ----

    private Path collectionSnapshots(String name) throws IOException {
        // one directory per collection, named safely whatever the collection's name
        Path d = dir.resolve(HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8)));
        return Files.createDirectories(d);
    }

    private static Path checksumFile(Path snapshot) {
        return snapshot.resolveSibling(snapshot.getFileName() + ".checksum");
    }

    private JsonNode createSnapshot(String name) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        Path file;
        synchronized (this) {
            Collection c = require(name);
            LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
            String snapshot = name + "-" + PEER_ID + "-" + SNAPSHOT_TIME.format(now) + ".snapshot";
            file = collectionSnapshots(name).resolve(snapshot);
            ArrayNode points = NODES.arrayNode();
            c.points.values().forEach(p -> points.add(p.deepCopy()));
            files.put("0/", new byte[0]);
            files.put("0/shard_config.json", bytes(NODES.objectNode().put("type", "Local")));
            ObjectNode replicas = NODES.objectNode().put("this_peer_id", PEER_ID);
            replicas.putObject("peers").put(Long.toString(PEER_ID), "Active");
            files.put("0/replica_state.json", bytes(replicas));
            files.put("0/points.json", bytes(points));
            files.put("version.info", VERSION.getBytes(StandardCharsets.UTF_8));
            files.put("config.json", bytes(config(c.params)));
            files.put("payload_index.json", bytes(NODES.objectNode().set("schema", NODES.objectNode())));
            MessageDigest sha = sha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
                SnapshotTar.write(out, files, now.toEpochSecond(ZoneOffset.UTC));
            }
            Files.writeString(checksumFile(file), HexFormat.of().formatHex(sha.digest()));
            c.snapshots.put(snapshot, file);
        }
        return description(file);
    }

    private static JsonNode description(Path file) throws IOException {
        ObjectNode d = NODES.objectNode();
        d.put("name", file.getFileName().toString());
        d.put("creation_time", LocalDateTime.ofInstant(Files.getLastModifiedTime(file).toInstant()
                .truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC).toString());
        d.put("size", Files.size(file));
        Path checksum = checksumFile(file);
        if (Files.exists(checksum)) {
            d.put("checksum", Files.readString(checksum).trim());
        }
        return d;
    }

    private JsonNode listSnapshots(String name) throws IOException {
        List<Path> files;
        synchronized (this) {
            files = List.copyOf(require(name).snapshots.values());
        }
        ArrayNode list = NODES.arrayNode();
        for (Path f : files) {
            list.add(description(f));
        }
        return list;
    }

    private synchronized Path snapshot(String name, String snapshot) {
        Path p = require(name).snapshots.get(snapshot);
        if (p == null) {
            throw new QdrantError(404, "Not found: Snapshot " + snapshot + " not found");
        }
        return p;
    }

    private void download(HttpExchange ex, String name, String snapshot) throws IOException, InterruptedException {
        Path file = snapshot(name, snapshot);
        long size = Files.size(file);
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + snapshot + "\"");
        ex.sendResponseHeaders(200, size);
        long stallAfter = stallDownloadsAfter;
        try (InputStream in = Files.newInputStream(file); OutputStream out = ex.getResponseBody()) {
            if (stallAfter >= 0) {
                out.write(in.readNBytes((int) Math.min(stallAfter, size)));
                out.flush();
                Thread.sleep(Duration.ofMinutes(10).toMillis());
                return;
            }
            in.transferTo(out);
        }
    }

    private synchronized void deleteSnapshot(String name, String snapshot) throws IOException {
        Path p = snapshot(name, snapshot);
        Files.deleteIfExists(p);
        Files.deleteIfExists(checksumFile(p));
        require(name).snapshots.remove(snapshot);
    }

    private void upload(HttpExchange ex, String name, Map<String, String> query) throws IOException {
        checkStrictName(name);
        String priority = query.getOrDefault("priority", "snapshot");
        if (!List.of("no_sync", "snapshot", "replica").contains(priority)) {
            throw new QdrantError(400, "Query deserialize error: unknown variant `" + priority
                    + "`, expected one of `no_sync`, `snapshot`, `replica`");
        }
        String checksum = query.get("checksum");
        if (checksum != null && !SHA256.matcher(checksum).matches()) {
            throw new QdrantError(400, "Validation error in query params: [checksum: invalid SHA256 hash]");
        }
        String boundary = Multipart.boundary(ex.getRequestHeaders().getFirst("Content-Type"));
        if (boundary == null) {
            throw new QdrantError(400, "Content type error");
        }
        Path spool = Files.createTempFile(dir, "upload-", ".snapshot");
        try {
            MessageDigest sha = sha256();
            boolean[] seen = {false};
            try (OutputStream file = new DigestOutputStream(Files.newOutputStream(spool), sha)) {
                Multipart.read(ex.getRequestBody(), boundary, field -> {
                    if (!field.equals("snapshot")) {
                        return null;
                    }
                    seen[0] = true;
                    return file;
                });
            } catch (IOException e) {
                throw new QdrantError(400, "Multipart stream is incomplete: " + e.getMessage());
            }
            if (!seen[0]) {
                throw new QdrantError(400, "Field 'snapshot' is required");
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (checksum != null && !checksum.equalsIgnoreCase(actual)) {
                // Qdrant names them this way round (see upload_snapshot in its snapshot_api.rs)
                throw new QdrantError(400, "Checksum mismatch: expected " + actual + ", actual " + checksum);
            }
            recover(name, spool);
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private void recover(String name, Path snapshot) throws IOException {
        Map<String, byte[]> files;
        JsonNode config;
        JsonNode points;
        try (InputStream in = Files.newInputStream(snapshot)) {
            files = SnapshotTar.read(in);
            config = JSON.readTree(required(files, "config.json"));
            points = JSON.readTree(required(files, "0/points.json"));
        } catch (IOException e) {
            throw new QdrantError(500, "Service internal error: failed to unpack snapshot: " + e.getMessage());
        }
        ObjectNode params = (ObjectNode) config.path("params");
        synchronized (this) {
            Collection c = collections.get(name);
            if (c == null) {
                c = new Collection(params((ObjectNode) NODES.objectNode().set("vectors", params.path("vectors"))));
                collections.put(name, c);
                if (failRecoveryAfterCreate) {
                    throw new QdrantError(500, "Service internal error: failed to recover shard 0 of collection `"
                            + name + "` (a fault the stand-in was told to inject)");
                }
            } else if (!c.params.path("vectors").equals(params.path("vectors"))) {
                throw new QdrantError(400, "Wrong input: Snapshot is not compatible with existing collection:"
                        + " Collection vectors: " + c.params.path("vectors") + " Snapshot Vectors: "
                        + params.path("vectors"));
            }
            c.points.clear();
            for (JsonNode p : points) {
                c.points.put(p.get("id").toString(), (ObjectNode) p);
            }
            c.yellowUntil = Instant.now().plus(yellowAfterRecovery);
        }
    }

    private static byte[] required(Map<String, byte[]> files, String name) throws IOException {
        byte[] b = files.get(name);
        if (b == null) {
            throw new IOException("snapshot has no " + name);
        }
        return b;
    }

    // ---- responses ----

    private static void ok(HttpExchange ex, long started, JsonNode result) throws IOException {
        ObjectNode body = NODES.objectNode();
        body.set("result", result);
        body.put("status", "ok");
        body.put("time", seconds(started));
        json(ex, 200, body);
    }

    private static void accepted(HttpExchange ex, long started) throws IOException {
        json(ex, 202, NODES.objectNode().put("status", "accepted").put("time", seconds(started)));
    }

    private static void error(HttpExchange ex, long started, int status, String message) throws IOException {
        ObjectNode body = NODES.objectNode();
        body.putObject("status").put("error", message);
        body.put("time", seconds(started));
        json(ex, status, body);
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = bytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void text(HttpExchange ex, int status, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if (body.length == 0) {
            return NODES.objectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new QdrantError(400, "Json deserialize error: " + e.getOriginalMessage());
        }
    }

    private static boolean flag(Map<String, String> query, String name, boolean otherwise) {
        String v = query.get(name);
        if (v == null) {
            return otherwise;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new QdrantError(400, "Query deserialize error: " + name + ": provided string was not `true` or `false`");
        }
        return Boolean.parseBoolean(v);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            // form encoding, as serde_urlencoded reads it: '+' is a space
            String p = pair.replace('+', ' ');
            q.put(decode(eq < 0 ? p : p.substring(0, eq)), eq < 0 ? "" : decode(p.substring(eq + 1)));
        }
        return q;
    }

    /** Percent-decodes a path segment or query part (UTF-8). */
    private static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Qdrant stand-in at " + url() + (apiKey == null ? "" : " (api key required)");
    }
}

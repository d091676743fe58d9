package io.arca.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.retention.DurationText;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * Qdrant's REST API, the part Arca uses, over the JDK's HTTP client: version, collections,
 * snapshots (create, download as a stream, delete) and the upload that recovers a collection from
 * a snapshot. Every wait is bounded by the connection's timeout and says what it waited for;
 * Qdrant's errors ({@code {"status": {"error": ...}}}, or the plain text of its 401) become
 * {@link ArcaException}s naming the Qdrant and the collection. The API key goes in the
 * {@code api-key} header and in no message.
 */
final class QdrantClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_JSON = 64 * 1024 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final QdrantOptions.Connection connection;
    private final HttpClient http;

    QdrantClient(QdrantOptions.Connection connection) {
        this.connection = connection;
        // HTTP/1.1: Qdrant speaks it everywhere; no redirects, so the api key goes nowhere else
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connection.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    QdrantUrl url() {
        return connection.url();
    }

    /**
     * A snapshot as Qdrant describes it ({@code SnapshotDescription}).
     *
     * @param checksum its SHA-256 (hex) when Qdrant reports one
     */
    record Snapshot(String name, long size, String checksum, String creationTime) {
    }

    /** Qdrant's version ({@code GET /}, which needs no api key). */
    String version() {
        JsonNode v = json(request("GET", connection.url().resolve(null)), "read its version");
        return v.path("version").asText("unknown");
    }

    /** The names of all collections. */
    List<String> collectionNames() {
        List<String> names = new ArrayList<>();
        result(json(request("GET", connection.url().resolve(null, "collections")), "list its collections"))
                .path("collections").forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    /** A collection's info ({@code CollectionInfo}), empty when there is no such collection. */
    Optional<JsonNode> collection(String name) {
        Exchange r = send(request("GET", connection.url().resolve(null, "collections", name)),
                "read collection '" + name + "'");
        if (r.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(result(r.json()));
    }

    /** Makes a snapshot of a collection and waits (bounded) until it is written. */
    Snapshot createSnapshot(String collection) {
        String what = "make a snapshot of collection '" + collection + "'";
        JsonNode s = result(json(request("POST", connection.url().resolve("wait=true", "collections", collection,
                "snapshots")), what));
        String name = s.path("name").asText(null);
        if (name == null) {
            throw new ArcaException(ErrorCode.FAILURE, "qdrant at '" + connection.url() + "' made a snapshot of collection '"
                    + collection + "' and named none", "check that '" + connection.url() + "' is a qdrant");
        }
        JsonNode checksum = s.get("checksum");
        return new Snapshot(name, s.path("size").asLong(-1), checksum == null || checksum.isNull() ? null
                : checksum.asText(), s.path("creation_time").asText(null));
    }

    /**
     * Opens a snapshot's download. Reads wait at most the timeout each; a stall fails them.
     *
     * @return the body, and its length when Qdrant sends one (else -1)
     */
    Download download(String collection, String snapshot) {
        String what = "send snapshot '" + snapshot + "' of collection '" + collection + "'";
        Exchange r = send(request("GET", connection.url().resolve(null, "collections", collection, "snapshots",
                snapshot)), what);
        if (r.status() != 200) {
            throw failure(r, what);
        }
        return new Download(r.body(), r.response().headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    /** A download under way: read {@code body}, then close it. */
    record Download(InputStream body, long length) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** Deletes a snapshot on the server. */
    void deleteSnapshot(String collection, String snapshot) {
        json(request("DELETE", connection.url().resolve("wait=true", "collections", collection, "snapshots", snapshot)),
                "delete snapshot '" + snapshot + "' of collection '" + collection + "'");
    }

    /** Deletes a collection; false when there was none. */
    boolean deleteCollection(String name) {
        return result(json(request("DELETE", connection.url().resolve(null, "collections", name)),
                "delete collection '" + name + "'")).asBoolean(false);
    }

    /**
     * Recovers a collection from a snapshot uploaded as {@code multipart/form-data} ({@code POST
     * /collections/{name}/snapshots/upload?priority=snapshot&checksum=...}), streamed from
     * {@code snapshot}: Qdrant checks the SHA-256 of what it received against {@code checksum}
     * before it recovers anything. When reading {@code snapshot} fails (an artifact that fails its
     * digests at the end of the stream), the upload is aborted before its closing boundary, so
     * Qdrant never sees a whole body, and that failure is thrown. The wait is bounded by the
     * timeout since the last byte was read: a stalled upload or a recovery slower than that fails.
     *
     * @param size the exact number of bytes {@code snapshot} gives
     * @param progress told the bytes sent so far
     */
    void upload(String collection, InputStream snapshot, long size, String fileName, String checksum,
            LongConsumer progress) {
        String what = "recover collection '" + collection + "' from the uploaded snapshot";
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String boundary = "arca-" + HexFormat.of().formatHex(random);
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\""
                + fileName.replaceAll("[\"\\r\\n\\\\]", "_") + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        WatchedInput watched = new WatchedInput(snapshot, progress);
        AtomicBoolean opened = new AtomicBoolean();
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> {
                    if (!opened.compareAndSet(false, true)) {
                        // the snapshot stream can be read once: a resend would send nothing
                        throw new IllegalStateException("the upload of collection '" + collection + "' was sent twice");
                    }
                    return new SequenceInputStream(new ByteArrayInputStream(head),
                            new SequenceInputStream(watched, new ByteArrayInputStream(tail)));
                }), head.length + size + tail.length);
        String query = "wait=true&priority=snapshot" + (checksum == null ? "" : "&checksum=" + checksum);
        HttpRequest request = base(connection.url().resolve(query, "collections", collection, "snapshots", "upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(body).build();
        CompletableFuture<HttpResponse<InputStream>> future = http.sendAsync(request, bodyHandler(what));
        HttpResponse<InputStream> response;
        long idle = connection.timeout().toNanos();
        while (true) {
            try {
                response = future.get(Math.min(250, connection.timeout().toMillis()), TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                if (watched.failure() != null) {
                    future.cancel(true);
                    throw watched.failure();
                }
                if (System.nanoTime() - watched.lastRead() > idle) {
                    future.cancel(true);
                    throw timedOut(watched.done() ? "qdrant at '" + connection.url() + "' did not " + what + " within "
                            + DurationText.format(connection.timeout()) + " of receiving it"
                            : "qdrant at '" + connection.url() + "' took no snapshot bytes for "
                                    + DurationText.format(connection.timeout()) + " while uploading collection '"
                                    + collection + "'");
                }
            } catch (ExecutionException e) {
                if (watched.failure() != null) {
                    throw watched.failure();
                }
                throw transport(e.getCause(), what);
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while uploading collection '" + collection
                        + "' to qdrant at '" + connection.url() + "'", null, e);
            }
        }
        Exchange r = new Exchange(response, (BoundedBody) response.body());
        if (r.status() != 200) {
            String error = r.errorText();
            if (r.status() == 400 && error.toLowerCase(java.util.Locale.ROOT).contains("checksum mismatch")) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "qdrant at '" + connection.url()
                        + "' refused the snapshot of collection '" + collection + "': " + error,
                        "the snapshot it received is not the one backed up; restore an older backup with 'arca restore <id>'");
            }
            throw failure(r.status(), error, what);
        }
        r.json();
    }

    /** The snapshot stream of an upload: when it was last read, and how it failed (a failed digest check). */
    private static final class WatchedInput extends InputStream {
        private final InputStream in;
        private final LongConsumer progress;
        private volatile long lastRead = System.nanoTime();
        private volatile RuntimeException failure;
        private volatile boolean done;
        private long sent;

        WatchedInput(InputStream in, LongConsumer progress) {
            this.in = in;
            this.progress = progress;
        }

        long lastRead() {
            return lastRead;
        }

        RuntimeException failure() {
            return failure;
        }

        boolean done() {
            return done;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (RuntimeException e) {
                failure = e;
                // an IOException makes the client abort the request before the closing boundary
                throw new IOException("reading the snapshot failed: " + e.getMessage(), e);
            } catch (IOException e) {
                failure = new java.io.UncheckedIOException(e);
                throw e;
            }
            lastRead = System.nanoTime();
            if (n < 0) {
                done = true;
            } else {
                sent += n;
                progress.accept(sent);
            }
            return n;
        }
    }

    // ---- requests and answers ----

    private HttpRequest.Builder base(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (connection.apiKey() != null) {
            b.header("api-key", connection.apiKey());
        }
        return b;
    }

    private HttpRequest.Builder request(String method, URI uri) {
        return base(uri).timeout(connection.timeout()).method(method, HttpRequest.BodyPublishers.noBody());
    }

    private HttpResponse.BodyHandler<InputStream> bodyHandler(String what) {
        return BoundedBody.handler(connection.timeout(), () -> timedOut("qdrant at '" + connection.url()
                + "' stopped sending for " + DurationText.format(connection.timeout()) + " while it was asked to " + what));
    }

    /** A response, its body not read yet. */
    private record Exchange(HttpResponse<InputStream> response, BoundedBody body) {
        int status() {
            return response.statusCode();
        }

        JsonNode json() {
            try (BoundedBody in = body) {
                byte[] bytes = in.readAtMost(MAX_JSON);
                return bytes.length == 0 ? JSON.nullNode() : JSON.readTree(bytes);
            } catch (IOException e) {
                throw new ArcaException(ErrorCode.FAILURE, "qdrant answered " + response.request().method() + " "
                        + response.request().uri().getRawPath() + " with what is not json: " + e.getMessage(),
                        "check that the url is a qdrant's rest api (port 6333, not the grpc port 6334)", e);
            }
        }

        /** Qdrant's error message: {@code status.error} of its json, else its plain text. */
        String errorText() {
            String text;
            try (BoundedBody in = body) {
                text = new String(in.readAtMost(8192), StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                return "(no answer body: " + e.getMessage() + ")";
            }
            try {
                JsonNode error = JSON.readTree(text).path("status").path("error");
                if (error.isTextual()) {
                    return error.asText();
                }
            } catch (IOException e) {
                // plain text, as Qdrant's auth answers
            }
            return text.isEmpty() ? "no message" : text.length() > 500 ? text.substring(0, 500) + "..." : text;
        }
    }

    private Exchange send(HttpRequest.Builder request, String what) {
        try {
            HttpResponse<InputStream> r = http.send(request.build(), bodyHandler(what));
            return new Exchange(r, (BoundedBody) r.body());
        } catch (IOException e) {
            throw transport(e, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while waiting for qdrant at '" + connection.url()
                    + "' to " + what, null, e);
        }
    }

    /** The body of a 2xx answer as json. */
    private JsonNode json(HttpRequest.Builder request, String what) {
        Exchange r = send(request, what);
        if (r.status() / 100 != 2) {
            throw failure(r, what);
        }
        return r.json();
    }

    private static JsonNode result(JsonNode envelope) {
        return envelope.path("result");
    }

    private ArcaException failure(Exchange r, String what) {
        return failure(r.status(), r.errorText(), what);
    }

    private ArcaException failure(int status, String error, String what) {
        String at = "qdrant at '" + connection.url() + "'";
        return switch (status) {
            case 401 -> connection.apiKey() == null
                    ? new ArcaException(ErrorCode.FAILURE, at + " requires an api key: " + error,
                            "put the key in " + QdrantOptions.API_KEY_ENV + " or in a file given with "
                                    + QdrantOptions.API_KEY_FILE)
                    : new ArcaException(ErrorCode.FAILURE, at + " refused the api key: " + error,
                            "check the key in " + QdrantOptions.API_KEY_ENV + " or " + QdrantOptions.API_KEY_FILE
                                    + " against qdrant's service.api_key");
            case 403 -> new ArcaException(ErrorCode.FAILURE, at + " did not allow arca to " + what + ": " + error,
                    "use qdrant's read-write api key (service.api_key), not the read-only one");
            case 404 -> new ArcaException(ErrorCode.FAILURE, at + " could not " + what + ": " + error,
                    "check the collection names and that the url is qdrant's rest api");
            default -> new ArcaException(ErrorCode.FAILURE, at + " could not " + what + ": " + error + " (http "
                    + status + ")", status >= 500 ? "see qdrant's log" : null);
        };
    }

    private ArcaException transport(Throwable e, String what) {
        String at = "qdrant at '" + connection.url() + "'";
        if (e instanceof HttpConnectTimeoutException) {
            return timedOut("cannot connect to " + at + " within " + DurationText.format(connection.timeout()));
        }
        if (e instanceof HttpTimeoutException) {
            return timedOut(at + " did not " + what + " within " + DurationText.format(connection.timeout()));
        }
        if (e instanceof ArcaException a) {
            return a;
        }
        if (e instanceof ConnectException || e != null && e.getCause() instanceof ConnectException) {
            return new ArcaException(ErrorCode.FAILURE, "cannot connect to " + at + ": connection refused",
                    "check " + QdrantOptions.URL + " and that qdrant runs there", e);
        }
        return new ArcaException(ErrorCode.FAILURE, "talking to " + at + " failed while asking it to " + what + ": "
                + (e == null ? "unknown error" : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()),
                "check " + QdrantOptions.URL + " and the network; try again", e);
    }

    private static ArcaException timedOut(String message) {
        return new ArcaException(ErrorCode.FAILURE, message, "check qdrant's health and log; give more time with "
                + QdrantOptions.TIMEOUT + " DURATION");
    }
}

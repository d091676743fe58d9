package io.arca.testkit.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.S3Exceptions;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * An S3 server in this JVM: s3proxy on {@code 127.0.0.1}, real HTTP with SigV4 signatures and
 * multipart uploads, objects stored as files under a data directory. Starts in about a second.
 *
 * <p>Tests start one per class and give each test its own bucket or prefix:
 * <pre>{@code
 * try (S3Server s3 = S3Server.start()) {
 *     s3.createBucket("repo");
 *     String url = s3.url("repo", "prod");  // s3://repo/prod?endpoint=http://127.0.0.1:PORT&path-style=true
 *     Map<String, String> env = s3.environment();  // AWS_ACCESS_KEY_ID, ... for a subprocess
 * }
 * }</pre>
 *
 * <p>What the filesystem backend does not do: lifecycle configuration and server-side encryption
 * (both answer 501 NotImplemented), the storage class of multipart uploads (a PutObject keeps its
 * class), part-number downloads, and a key that is both an object and the folder of other keys
 * ({@code a} and {@code a/b}). A key below an object is answered as missing, as S3 does (the
 * backend alone fails with 500 there). Conditional writes ({@code If-None-Match: *} on PutObject
 * and CompleteMultipartUpload) are atomic: the backend publishes with a hard link.
 *
 * <p>{@link #main} runs it as a process for the benchmarks in {@code bench/}.
 */
public final class S3Server implements AutoCloseable {

    /** The access key every server accepts. */
    public static final String ACCESS_KEY = "arca-test-access-key";
    /** The secret key that goes with {@link #ACCESS_KEY}. */
    public static final String SECRET_KEY = "arca-test-secret-key";
    /** The region clients should sign for; s3proxy accepts any, this one keeps clients quiet. */
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final BlobStore blobStore;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final URI endpoint;

    private S3Server(S3Proxy proxy, BlobStore blobStore, Path dataDir, boolean ownsDataDir) {
        this.proxy = proxy;
        this.blobStore = blobStore;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Starts a server on a free port with a new temporary data directory, deleted by {@link #close()}. */
    public static S3Server start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("arca-s3-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the S3 server", e);
        }
        try {
            return start(0, dir, true);
        } catch (RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /**
     * Starts a server on {@code port} (0 for a free one) storing objects under {@code dataDir}, which
     * is created if missing and kept by {@link #close()}. Buckets already in it (its directories)
     * are served again.
     */
    public static S3Server start(int port, Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the S3 server's data directory '" + dataDir + "'", e);
        }
        return start(port, dataDir.toAbsolutePath(), false);
    }

    private static S3Server start(int port, Path dataDir, boolean ownsDataDir) {
        BlobStore blobStore = new KeysBelowObjectsAreMissing(new FilesystemNio2BlobStore(dataDir.toString()), dataDir);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
                // the AWS SDK sends headers s3proxy does not know (x-amz-mp-object-size, ...)
                .ignoreUnknownHeaders(true)
                .stopTimeout(1_000)
                .build();
        try {
            proxy.start();
            // start() returns once Jetty is starting; requests need it started
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("s3proxy did not start within 30 s (state " + proxy.getState() + ")");
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            stopQuietly(proxy);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start s3proxy on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        return new S3Server(proxy, blobStore, dataDir, ownsDataDir);
    }

    /** Creates a bucket (3 to 63 lower-case letters, digits, dots and dashes); does nothing when it exists. */
    public S3Server createBucket(String bucket) {
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            // s3proxy ignores invalid names silently; the first request would then say NoSuchBucket
            throw new IllegalArgumentException("invalid S3 bucket name '" + bucket + "'");
        }
        if (!blobStore.containerExists(bucket)) {
            blobStore.createContainer(bucket);
        }
        return this;
    }

    /** Where clients connect, {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return endpoint;
    }

    /** The port the server listens on. */
    public int port() {
        return endpoint.getPort();
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String region() {
        return REGION;
    }

    /** The directory that holds the buckets (one subdirectory each). */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * The repository URL of {@code prefix} in {@code bucket} on this server, for Arca's S3 store:
     * {@code s3://bucket/prefix?endpoint=http://127.0.0.1:PORT&path-style=true}. An empty prefix
     * means the bucket's root.
     */
    public String url(String bucket, String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix) + "?endpoint=" + endpoint + "&path-style=true";
    }

    /**
     * The environment a process needs to reach this server with the AWS default credential and
     * region chains: {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_REGION}.
     */
    public Map<String, String> environment() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_REGION", REGION);
    }

    /** Stops the server and, when {@link #start()} created it, deletes the data directory. */
    @Override
    public void close() {
        stopQuietly(proxy);
        if (ownsDataDir) {
            deleteTree(dataDir);
        }
    }

    @Override
    public String toString() {
        return "S3Server[" + endpoint + ", " + dataDir + "]";
    }

    /**
     * Runs a server until the process is killed:
     * {@code S3Server [--port P] [--data DIR] [--bucket NAME]...}. Creates the buckets, prints the
     * endpoint and keys as {@code NAME=value} lines (ready for {@code export}), then {@code READY}.
     * Without {@code --data} the data goes to a temporary directory deleted on exit.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        Path data = null;
        List<String> buckets = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (value == null ? "" : args[i]) {
                case "--port" -> port = Integer.parseInt(value);
                case "--data" -> data = Path.of(value);
                case "--bucket" -> buckets.add(value);
                default -> {
                    System.err.println("usage: S3Server [--port PORT] [--data DIR] [--bucket NAME]...");
                    System.exit(2);
                }
            }
        }
        S3Server server = data == null ? start(port, tempDirForMain(), true) : start(port, data);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "s3-server-stop"));
        buckets.forEach(server::createBucket);
        System.out.println("S3_ENDPOINT=" + server.endpoint());
        System.out.println("AWS_ACCESS_KEY_ID=" + ACCESS_KEY);
        System.out.println("AWS_SECRET_ACCESS_KEY=" + SECRET_KEY);
        System.out.println("AWS_REGION=" + REGION);
        System.out.println("S3_DATA_DIR=" + server.dataDir());
        System.out.println("READY");
        System.out.flush();
        new CountDownLatch(1).await();
    }

    private static Path tempDirForMain() {
        try {
            return Files.createTempDirectory("arca-s3-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the S3 server", e);
        }
    }

    /**
     * Answers a key below an object ({@code a/b} when {@code a} is an object) as missing, as S3
     * does: the filesystem backend fails there with 500 (the path runs through a file).
     */
    private static final class KeysBelowObjectsAreMissing extends ForwardingBlobStore {
        private final Path root;

        KeysBelowObjectsAreMissing(BlobStore delegate, Path root) {
            super(delegate);
            this.root = root;
        }

        @Override
        public HeadObjectResponse blobMetadata(HeadObjectRequest request) {
            checkNotBelowObject(request.bucket(), request.key());
            return super.blobMetadata(request);
        }

        @Override
        public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
            checkNotBelowObject(request.bucket(), request.key());
            return super.getBlob(request);
        }

        private void checkNotBelowObject(String bucket, String key) {
            String[] segments = key.split("/");
            Path path = root.resolve(bucket);
            for (int i = 0; i < segments.length - 1; i++) {
                path = path.resolve(segments[i]);
                if (Files.isRegularFile(path)) {
                    throw S3Exceptions.noSuchKey(bucket, key, "no such object");
                }
            }
        }
    }

    private static void stopQuietly(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception e) {
            // stopping a server that failed to start, or stopping twice: nothing left to release
        }
    }

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the S3 server's data directory '" + dir + "'", e);
        }
    }
}

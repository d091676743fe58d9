package io.arca.testkit.azure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real Azure Blob Storage emulator (Azurite, from npm) running as a child process on a free
 * loopback port, with its data in a temporary directory. It serves the well-known development
 * account {@value #ACCOUNT_NAME}. Use one per test class and close it afterwards: closing stops
 * the process and its children and deletes the directory.
 *
 * <p>The binary is {@code $ARCA_AZURITE_BIN}, else {@code azurite-blob} on the PATH. When neither
 * exists, {@link #start()} fails with a message saying how to install it: tests never skip for
 * want of it.
 *
 * <p>For a test that runs Arca in a subprocess: pass {@link #environment()} as its environment
 * and {@link #repositoryUrl(String, String)} as its repository.
 */
public final class AzuriteServer implements AutoCloseable {

    /** Azurite's built-in account. */
    public static final String ACCOUNT_NAME = "devstoreaccount1";
    /** The published key of {@value #ACCOUNT_NAME}; not a secret. */
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    /** Names the Azurite blob binary when it is not {@code azurite-blob} on the PATH. */
    public static final String BIN_ENV = "ARCA_AZURITE_BIN";
    /** How to get the binary; {@code .ci/run} does this when it is missing. */
    public static final String INSTALL = "npm install -g azurite@3.37.0";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final int START_ATTEMPTS = 3;
    private static final String API_VERSION = "2021-12-02";

    private final Process process;
    private final Path dir;
    private final int port;
    private final HttpClient http;

    private AzuriteServer(Process process, Path dir, int port, HttpClient http) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.http = http;
    }

    /**
     * Starts Azurite and waits until it answers HTTP.
     *
     * @throws IllegalStateException when the binary is missing or the server does not come up
     */
    public static AzuriteServer start() {
        Path binary = binary();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Path dir;
        try {
            dir = Files.createTempDirectory("arca-azurite-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for azurite", e);
        }
        String lastLog = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            Path log = dir.resolve("azurite-" + attempt + ".log");
            Process process;
            try {
                process = new ProcessBuilder(binary.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                        String.valueOf(port), "--location", dir.resolve("data").toString(), "--skipApiVersionCheck",
                        "--disableTelemetry", "--silent")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                deleteTree(dir);
                throw new IllegalStateException("cannot run azurite '" + binary + "': " + e.getMessage() + "; install "
                        + "it with '" + INSTALL + "' (or run .ci/run), or set " + BIN_ENV, e);
            }
            AzuriteServer server = new AzuriteServer(process, dir, port, http);
            if (server.awaitReady()) {
                return server;
            }
            stop(process);
            lastLog = readQuietly(log);
            // another process may have taken the free port between our check and Azurite's bind
            if (!lastLog.contains("EADDRINUSE")) {
                break;
            }
        }
        deleteTree(dir);
        throw new IllegalStateException("azurite '" + binary + "' did not start within " + START_TIMEOUT.toSeconds()
                + " s; its output:\n" + lastLog);
    }

    public String accountName() {
        return ACCOUNT_NAME;
    }

    public String accountKey() {
        return ACCOUNT_KEY;
    }

    public int port() {
        return port;
    }

    /** The blob service endpoint, path style: {@code http://127.0.0.1:PORT/devstoreaccount1}. */
    public String blobEndpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT_NAME;
    }

    /** A connection string for this server, as {@code AZURE_STORAGE_CONNECTION_STRING} takes it. */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT_NAME + ";AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    /** The environment that points Arca's {@code azure://} URLs at this server. */
    public Map<String, String> environment() {
        return Map.of("AZURE_STORAGE_CONNECTION_STRING", connectionString());
    }

    /** {@code azure://container/prefix} (no prefix when empty); use it with {@link #environment()}. */
    public String repositoryUrl(String container, String prefix) {
        return "azure://" + container + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** Creates a container with a new unique name and returns the name. */
    public String createContainer() {
        String name = "arca-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        createContainer(name);
        return name;
    }

    /**
     * Creates the container {@code name}.
     *
     * @throws IllegalStateException when it exists or the server refuses
     */
    public void createContainer(String name) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        // Shared Key: the emulator's path-style resource names the account twice
        String toSign = "PUT\n\n\n\n\n\n\n\n\n\n\n\n" + "x-ms-date:" + date + "\nx-ms-version:" + API_VERSION + "\n/"
                + ACCOUNT_NAME + "/" + ACCOUNT_NAME + "/" + name + "\nrestype:container";
        HttpRequest request = HttpRequest.newBuilder(URI.create(blobEndpoint() + "/" + name + "?restype=container"))
                .timeout(Duration.ofSeconds(10))
                .header("x-ms-date", date)
                .header("x-ms-version", API_VERSION)
                .header("Authorization", "SharedKey " + ACCOUNT_NAME + ":" + sign(toSign))
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("azurite refused to create container '" + name + "': HTTP "
                    + response.statusCode() + " " + response.body());
        }
    }

    /** Stops the server and its children and deletes its data. */
    @Override
    public void close() {
        stop(process);
        deleteTree(dir);
    }

    @Override
    public String toString() {
        return "AzuriteServer[" + blobEndpoint() + "]";
    }

    private boolean awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(blobEndpoint() + "?comp=list"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> response = http.send(probe, HttpResponse.BodyHandlers.ofString());
                // any answer will do (unsigned requests are refused), as long as it is Azurite's
                if (response.headers().firstValue("server").orElse("").startsWith("Azurite")) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach azurite at " + blobEndpoint(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while talking to azurite", e);
        }
    }

    private static String sign(String toSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(ACCOUNT_KEY), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }

    private static Path binary() {
        String configured = System.getenv(BIN_ENV);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(BIN_ENV + " names '" + configured + "', which is not an executable "
                        + "file; install azurite with '" + INSTALL + "' (or run .ci/run)");
            }
            return path;
        }
        String pathVariable = System.getenv().getOrDefault("PATH", "");
        for (String entry : pathVariable.split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                Path candidate = Path.of(entry, "azurite-blob");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("azurite-blob is not on the PATH; install it with '" + INSTALL
                + "' (or run .ci/run), or set " + BIN_ENV + " to its path");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port for azurite", e);
        }
    }

    /**
     * Stops the process tree: politely first, then by force. Azurite's graceful stop waits for idle
     * keep-alive connections to time out (5 s); its data is thrown away, so that wait is cut short.
     */
    private static void stop(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(500, TimeUnit.MILLISECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            tree.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage().toLowerCase(Locale.ROOT) + ")";
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // a temp directory left behind does no harm
                }
            });
        } catch (IOException e) {
            // as above
        }
    }
}

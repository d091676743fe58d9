package io.arca.core.hook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A real HTTP server on 127.0.0.1 (the JDK's) answering {@code /health} with the status its
 * function gives for the n-th request (1-based); {@code 0} means: do not answer for 30 seconds.
 * {@code /moved} redirects to {@code /health}.
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    HealthServer(IntUnaryOperator statusOfRequest) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            int status = statusOfRequest.applyAsInt(requests.incrementAndGet());
            if (status == 0) {
                sleep(30_000);
            }
            respond(exchange, status == 0 ? 200 : status);
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "/health");
            respond(exchange, 302);
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "health-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    private static void respond(HttpExchange exchange, int status) throws IOException {
        if (status == 204) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            byte[] body = ("status " + status + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

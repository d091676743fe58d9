package io.arca.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A webhook endpoint on 127.0.0.1 (the JDK's HTTP server) that keeps every JSON body it is sent. */
final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                try {
                    received.add(JSON.readTree(body));
                    exchange.sendResponseHeaders(204, -1);
                } catch (IOException e) {
                    exchange.sendResponseHeaders(400, -1);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** The bodies of one event ({@code failure}, {@code recovery}, {@code objective-missed}, ...). */
    List<JsonNode> events(String event) {
        return received.stream().filter(n -> event.equals(n.path("event").asText())).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

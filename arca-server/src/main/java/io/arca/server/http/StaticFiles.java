package io.arca.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The status page's files and the OpenAPI description, served from this package's resources as
 * they are: plain HTML, JavaScript and CSS, no build step and nothing fetched from elsewhere (the
 * page works where the server has no internet, and its Content-Security-Policy allows only itself).
 */
final class StaticFiles {
    /** The page's files; {@code index.html} is served at {@code /}. */
    static final List<String> PAGE = List.of("index.html", "app.js", "app.css");
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "json", "application/json");

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    Response get(String file) {
        byte[] body = cache.computeIfAbsent(file, StaticFiles::load);
        return new Response(200, TYPES.get(file.substring(file.lastIndexOf('.') + 1)), body, Map.of());
    }

    private static byte[] load(String file) {
        String resource = file.equals("openapi.json") ? file : "page/" + file;
        try (InputStream in = StaticFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

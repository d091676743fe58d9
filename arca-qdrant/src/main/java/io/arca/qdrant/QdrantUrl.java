package io.arca.qdrant;

import io.arca.core.error.UsageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a Qdrant's REST API is: {@code http(s)://host[:port][/base-path]}, a base path for a
 * Qdrant behind a reverse proxy. Credentials never go in it (they show in {@code ps}): the API
 * key comes from the environment or a file.
 *
 * @param scheme {@code http} or {@code https}
 * @param host the host name or address (IPv6 in brackets)
 * @param port the port, the scheme's default when the URL gives none
 * @param basePath the path before {@code /collections}, without a trailing slash; may be empty
 */
record QdrantUrl(String scheme, String host, int port, String basePath) {

    /**
     * Reads the value of {@code option}.
     *
     * @throws UsageException when it is not an http(s) URL with a host, or holds credentials, a query or a fragment
     */
    static QdrantUrl parse(String option, String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw invalid(option, text, e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(option, text, "use http:// or https://, such as http://qdrant:6333");
        }
        if (uri.getHost() == null) {
            throw invalid(option, text, "it names no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new UsageException(option + " must not hold credentials",
                    "give the api key in ARCA_QDRANT_API_KEY or a file named by --qdrant-api-key-file", null);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(option, text, "it must have no query or fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return new QdrantUrl(scheme, uri.getHost(), port, path);
    }

    private static UsageException invalid(String option, String text, String why) {
        return new UsageException("invalid " + option + " '" + text + "': " + why);
    }

    /** {@code host:port}, as subjects record it. */
    String authority() {
        return host + ":" + port;
    }

    /** The URL as messages show it. */
    @Override
    public String toString() {
        return scheme + "://" + authority() + basePath;
    }

    /** The URI of the path {@code /segment/segment...} (each percent-encoded) with {@code query} (already encoded, or null). */
    URI resolve(String query, String... segments) {
        StringBuilder b = new StringBuilder(toString());
        for (String s : segments) {
            b.append('/').append(encode(s));
        }
        if (segments.length == 0) {
            b.append('/');
        }
        if (query != null) {
            b.append('?').append(query);
        }
        return URI.create(b.toString());
    }

    /** Percent-encodes a path segment: everything but the unreserved characters. */
    static String encode(String segment) {
        StringBuilder b = new StringBuilder();
        for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                b.append(c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
            }
        }
        return b.toString();
    }
}

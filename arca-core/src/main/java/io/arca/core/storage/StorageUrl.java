package io.arca.core.storage;

import io.arca.core.error.UsageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a repository lives: {@code file:/path} or a plain path, {@code s3://bucket/prefix},
 * {@code gs://bucket/prefix}, {@code azure://container/prefix}. Query parameters carry provider
 * options; credentials never appear in it.
 *
 * @param scheme lower-case scheme, {@code file} for plain paths
 * @param authority bucket or container; empty for {@code file}
 * @param path for {@code file} an absolute filesystem path, otherwise the key prefix without
 *     leading or trailing slash (possibly empty)
 * @param query the raw query string or empty
 */
public record StorageUrl(String scheme, String authority, String path, String query) {

    private static final Pattern FILE_OPTIONS =
            Pattern.compile("(.*)\\?([a-z]+=[^/?&=]*(?:&[a-z]+=[^/?&=]*)*)");

    /**
     * Parses a URL or a plain filesystem path. Relative paths are resolved against the working
     * directory. {@code file:/path} and {@code file:path} take the rest literally, as typed;
     * {@code file:///path} and {@code file://localhost/path} are URIs and are percent-decoded. A
     * {@code file:} URL may end in options ({@code file:/srv/repo?mode=0640}).
     *
     * @throws IllegalArgumentException when the text is empty, malformed, names a remote host in a
     *     {@code file} URL, or lacks the bucket or container of another scheme
     */
    public static StorageUrl parse(String text) {
        if (text == null || text.isBlank()) {
            throw new UsageException("repository URL is empty");
        }
        String t = text.trim();
        int colon = t.indexOf(':');
        // colon > 1 keeps a Windows drive letter ("C:\x") a path rather than a scheme
        boolean hasScheme = colon > 1 && t.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
        if (!hasScheme) {
            return file(t, text);
        }
        String scheme = t.substring(0, colon).toLowerCase(Locale.ROOT);
        if (scheme.equals("file")) {
            String rest = t.substring(colon + 1);
            String query = "";
            if (rest.startsWith("//")) {
                URI uri = uri(t, text);
                String host = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
                if (!host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
                    throw new UsageException("repository URL '" + text + "' names host '" + host
                            + "'; file URLs must be local (file:///path)");
                }
                rest = uri.getPath() == null ? "" : uri.getPath();
                query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            } else {
                // options such as ?mode=0640; any other '?' stays part of the path
                Matcher m = FILE_OPTIONS.matcher(rest);
                if (m.matches()) {
                    rest = m.group(1);
                    query = m.group(2);
                }
            }
            StorageUrl file = file(rest, text);
            return new StorageUrl("file", "", file.path(), query);
        }
        URI uri = uri(t, text);
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        if (authority.isEmpty()) {
            throw new UsageException("repository URL '" + text + "' names no bucket or container ("
                    + scheme + "://bucket/prefix)");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("^/+|/+$", "");
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        return new StorageUrl(scheme, authority, path, query);
    }

    private static StorageUrl file(String path, String text) {
        if (path.isEmpty()) {
            throw new UsageException("repository URL '" + text + "' names no path");
        }
        try {
            return new StorageUrl("file", "", Path.of(path).toAbsolutePath().normalize().toString(), "");
        } catch (InvalidPathException e) {
            throw new UsageException("invalid repository path '" + text + "'", e);
        }
    }

    private static URI uri(String t, String text) {
        try {
            return new URI(t);
        } catch (URISyntaxException e) {
            throw new UsageException("invalid repository URL '" + text + "'", e);
        }
    }

    /**
     * The query parameters, percent-decoded, in the order given ({@code s3://b/p?region=eu-west-1}).
     * A parameter without {@code =} maps to the empty string.
     *
     * @throws StorageAccessException when a parameter is not in {@code known} or appears twice
     */
    public Map<String, String> parameters(Set<String> known) {
        Map<String, String> result = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return result;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!known.contains(name)) {
                throw new StorageAccessException("unknown option '" + name + "' in repository URL '" + this + "'",
                        "options for " + scheme + ":// URLs: " + String.join(", ", new TreeSet<>(known)), null);
            }
            if (result.put(name, value) != null) {
                throw new StorageAccessException("option '" + name + "' given twice in repository URL '" + this + "'",
                        "give each option once", null);
            }
        }
        return result;
    }

    /** The filesystem path of a {@code file} URL. */
    public Path filePath() {
        if (!scheme.equals("file")) {
            throw new IllegalStateException("not a file URL: " + this);
        }
        return Path.of(path);
    }

    @Override
    public String toString() {
        if (scheme.equals("file")) {
            return "file:" + path;
        }
        return scheme + "://" + authority + (path.isEmpty() ? "" : "/" + path) + (query.isEmpty() ? "" : "?" + query);
    }
}

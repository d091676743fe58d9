package io.arca.core.storage;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

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

    /** Parses a URL or a plain filesystem path. */
    public static StorageUrl parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("repository URL is empty");
        }
        String t = text.trim();
        int colon = t.indexOf(':');
        boolean hasScheme = colon > 1 && t.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
        if (!hasScheme) {
            return new StorageUrl("file", "", Path.of(t).toAbsolutePath().normalize().toString(), "");
        }
        String scheme = t.substring(0, colon).toLowerCase(Locale.ROOT);
        if (scheme.equals("file")) {
            String rest = t.substring(colon + 1);
            if (rest.startsWith("//")) {
                rest = URI.create(t).getPath();
            }
            return new StorageUrl("file", "", Path.of(rest).toAbsolutePath().normalize().toString(), "");
        }
        URI uri;
        try {
            uri = URI.create(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid repository URL '" + text + "'", e);
        }
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("^/+|/+$", "");
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        return new StorageUrl(scheme, authority, path, query);
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

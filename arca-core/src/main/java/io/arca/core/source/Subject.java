package io.arca.core.source;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.arca.core.error.UsageException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a backup (or one section of it) was taken from, as a URI:
 * {@code postgresql://db.internal:5432/app}, {@code k8s://prod-cluster/shop},
 * {@code qdrant://vectors:6333/products}, {@code files://web-1/srv/app/secrets}. The model is
 * Kopia's {@code SourceInfo}.
 *
 * <p>Identity: a subject's {@linkplain #identity() identity} is its scheme and path, without the
 * authority. The authority says where the data was read from (a host and port, a kubeconfig
 * context, a container's host name), and that changes without the data changing: a failover, a
 * new pod, a connection string written another way. Retention and status judge the backups of one
 * identity together, so such a change never starts a second series whose old backups would be
 * kept, and alerted on, forever.
 *
 * @param uri the subject as a URI: {@code scheme://authority/path}, authority and path
 *     percent-encoded where needed
 */
public record Subject(String uri) {
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");

    @JsonCreator
    public Subject {
        Objects.requireNonNull(uri, "uri");
        int sep = uri.indexOf("://");
        if (sep <= 0 || !SCHEME.matcher(uri.substring(0, sep)).matches()) {
            throw new UsageException("not a subject URI: '" + uri + "' (expected scheme://authority/path)");
        }
        for (int i = sep + 3; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c >= 0x7f || "\"<>\\^`{|}#?".indexOf(c) >= 0) {
                throw new UsageException("not a subject URI: '" + uri + "' (character " + (int) c
                        + " must be percent-encoded)");
            }
        }
    }

    /**
     * The subject {@code scheme://authority/path}; the authority and each path segment are
     * percent-encoded here (a kubeconfig context may hold {@code /} and {@code :}).
     *
     * @param path segments joined by {@code /}; a leading {@code /} is added when missing
     */
    public static Subject of(String scheme, String authority, String path) {
        StringBuilder b = new StringBuilder(scheme).append("://").append(encode(authority == null ? "" : authority, true));
        String p = path == null ? "" : path;
        for (String segment : p.split("/", -1)) {
            if (!segment.isEmpty()) {
                b.append('/').append(encode(segment, false));
            }
        }
        return new Subject(b.toString());
    }

    @JsonValue
    @Override
    public String uri() {
        return uri;
    }

    /** {@code postgresql}, {@code k8s}, {@code qdrant}, {@code files}. */
    public String scheme() {
        return uri.substring(0, uri.indexOf("://"));
    }

    /** Where it was read from (decoded): {@code db.internal:5432}, a kubeconfig context; may be empty. */
    public String authority() {
        String rest = uri.substring(uri.indexOf("://") + 3);
        int slash = rest.indexOf('/');
        return decode(slash < 0 ? rest : rest.substring(0, slash));
    }

    /** The path (decoded), starting with {@code /}, or empty. */
    public String path() {
        String rest = uri.substring(uri.indexOf("://") + 3);
        int slash = rest.indexOf('/');
        return slash < 0 ? "" : decode(rest.substring(slash));
    }

    /** The last path segment (decoded): a database, namespace or collection name. */
    public String name() {
        String rest = uri.substring(uri.indexOf("://") + 3);
        int slash = rest.lastIndexOf('/');
        return slash < 0 ? "" : decode(rest.substring(slash + 1));
    }

    /** Scheme and path, the authority left out: the series a backup belongs to (see the class comment). */
    public String identity() {
        String rest = uri.substring(uri.indexOf("://") + 3);
        int slash = rest.indexOf('/');
        return scheme() + ":" + (slash < 0 ? "" : rest.substring(slash));
    }

    @Override
    public String toString() {
        return uri;
    }

    private static String encode(String s, boolean authority) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0
                    || authority && (c == ':' || c == '[' || c == ']')) {
                b.append(c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
            }
        }
        return b.toString();
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

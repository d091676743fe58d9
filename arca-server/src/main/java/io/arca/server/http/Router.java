package io.arca.server.http;

import io.arca.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routes the server serves: a method and a path template whose {@code {name}} segments match
 * one path segment each. A path that no route matches is 404; a path that matches with another
 * method is 405 with {@code Allow}. {@link #routes()} lists them, so that a test can hold the
 * OpenAPI description to what is served.
 */
final class Router {
    /** Who may call a route. */
    enum Access {
        /** Anyone: probes, the page's static files, the OpenAPI description. */
        PUBLIC,
        /** A read or operator token (when tokens are configured). */
        READ,
        /** An operator token (when tokens are configured). */
        OPERATOR
    }

    /** Answers one request. */
    @FunctionalInterface
    interface Handler {
        Response handle(Request request) throws Exception;
    }

    /**
     * One route.
     *
     * @param method {@code GET} or {@code POST}
     * @param template the path, {@code {name}} for a parameter segment
     * @param access who may call it
     * @param documented whether it belongs in the OpenAPI description (the page's files do not)
     */
    record Route(String method, String template, Access access, boolean documented, Handler handler) {
        List<String> segments() {
            return split(template);
        }
    }

    /** A route matched to a path, with the path's parameters. */
    record Match(Route route, Map<String, String> parameters) {
    }

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String template, Access access, boolean documented, Handler handler) {
        routes.add(new Route(method, template, access, documented, handler));
        return this;
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * The route for {@code method} and {@code path} (decoded segments).
     *
     * @throws ApiException 404 when no route has the path, 405 when none has it with this method
     */
    Match match(String method, List<String> path) {
        Set<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> parameters = matches(r.segments(), path);
            if (parameters != null) {
                if (r.method().equals(method)) {
                    return new Match(r, parameters);
                }
                allowed.add(r.method());
            }
        }
        if (!allowed.isEmpty()) {
            throw new MethodNotAllowed(method, allowed);
        }
        throw new ApiException(404, ErrorCode.API_NOT_FOUND, "no such path: " + quoted(path),
                "see /api/v1/openapi.json for the API's paths");
    }

    private static String quoted(List<String> path) {
        String p = "/" + String.join("/", path);
        return "'" + (p.length() > 200 ? p.substring(0, 200) + "..." : p) + "'";
    }

    private static Map<String, String> matches(List<String> template, List<String> path) {
        if (template.size() != path.size()) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                if (path.get(i).isEmpty()) {
                    return null;
                }
                parameters.put(t.substring(1, t.length() - 1), path.get(i));
            } else if (!t.equals(path.get(i))) {
                return null;
            }
        }
        return parameters;
    }

    /** {@code /a/b/} as {@code [a, b, ""]}; {@code /} as {@code [""]}. */
    static List<String> split(String path) {
        List<String> segments = new ArrayList<>(List.of(path.substring(1).split("/", -1)));
        return segments;
    }

    /** 405, with the methods the path has. */
    static final class MethodNotAllowed extends ApiException {
        private static final long serialVersionUID = 1L;
        private final Set<String> allowed;

        MethodNotAllowed(String method, Set<String> allowed) {
            super(405, ErrorCode.USAGE, "method " + method + " is not allowed here",
                    "use " + String.join(" or ", allowed));
            this.allowed = Set.copyOf(allowed);
        }

        String allow() {
            return String.join(", ", new TreeSet<>(allowed));
        }
    }
}

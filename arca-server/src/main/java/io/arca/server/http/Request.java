package io.arca.server.http;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request as a route sees it: its path parameters and query parameters (decoded), its body
 * (already read, at most {@link HttpApi#MAX_BODY_BYTES}) and the base URI for {@code Location}.
 */
record Request(String method, Map<String, String> pathParameters, Map<String, List<String>> query, byte[] body) {

    String path(String name) {
        return pathParameters.get(name);
    }

    /** A query parameter given at most once, or null when absent. */
    String query(String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiException.badRequest("query parameter '" + name + "' is given " + values.size() + " times",
                    "give it once");
        }
        return values.get(0);
    }

    /** Refuses query parameters other than {@code known}: a misspelt filter must not return everything. */
    void onlyQuery(Set<String> known) {
        for (String name : query.keySet()) {
            if (!known.contains(name)) {
                throw ApiException.badRequest("unknown query parameter '" + Text.clip(name) + "'",
                        known.isEmpty() ? "this path takes no query parameters"
                                : "use " + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }
}

package io.arca.core.repo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.source.Subject;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads {@code manifest.json} in either format. Format 1 (written before Arca had sources: one
 * PostgreSQL database, with {@code kind}, {@code database} and {@code physical} at the top) is
 * turned into format 2 as it is read: one section {@code postgresql.<kind>} whose subject is
 * {@code postgresql://<host>/<database>} and whose details are {@code {database, physical}} as
 * they were, holding every artifact. Nothing rewrites a stored manifest: a format 1 backup stays
 * format 1 in the bucket, readable by the release that wrote it.
 */
final class ManifestFormat {
    private ManifestFormat() {
    }

    /**
     * Reads a manifest from its bytes. A format 2 manifest is mapped straight into the record (in a
     * fresh JVM, a listing of thousands of manifests spends half the time that way than through a
     * tree); anything that could be format 1, or fails, takes the way through the tree, whose
     * messages name what is wrong.
     */
    static BackupManifest read(byte[] content) throws IOException {
        try {
            BackupManifest m = RepositoryJson.mapper().readValue(content, BackupManifest.class);
            if (m != null && (m.formatVersion() > 1 || !m.sections().isEmpty())) {
                return m; // not format 1: the tree would map to the same record
            }
        } catch (IOException | RuntimeException e) {
            // read again below, for the message
        }
        return read(new java.io.ByteArrayInputStream(content));
    }

    static BackupManifest read(InputStream in) throws IOException {
        JsonNode tree = RepositoryJson.mapper().readTree(in);
        if (!(tree instanceof ObjectNode node)) {
            throw new com.fasterxml.jackson.databind.exc.MismatchedInputException(null,
                    "the manifest is not a JSON object") {
            };
        }
        if (isFormat1(node)) {
            upgrade(node);
        }
        return RepositoryJson.mapper().treeToValue(node, BackupManifest.class);
    }

    /** Format 1: version 1 (or none) and no {@code sections}. */
    static boolean isFormat1(ObjectNode node) {
        return !node.has("sections") && node.path("formatVersion").asInt(0) <= 1;
    }

    private static void upgrade(ObjectNode node) {
        if (node.has("backupId") && !node.has("id")) {
            node.set("id", node.get("backupId"));
        }
        node.remove("backupId");
        JsonNode kind = node.remove("kind");
        JsonNode database = node.remove("database");
        JsonNode physical = node.remove("physical");
        ArrayNode sections = node.putArray("sections");
        if (kind == null || !kind.isTextual()) {
            return; // no section: ManifestRules calls the manifest damaged, as format 1 did without a kind
        }
        ObjectNode section = sections.addObject();
        section.put("source", "postgresql." + kind.asText());
        String host = database == null ? "" : database.path("host").asText("");
        String name = database == null ? "" : database.path("name").asText("");
        section.put("subject", Subject.of("postgresql", host, name).uri());
        ArrayNode names = section.putArray("artifacts");
        for (JsonNode a : node.path("artifacts")) {
            if (a.hasNonNull("name")) {
                names.add(a.get("name").asText());
            }
        }
        JsonNode selection = database == null ? null : database.get("selection");
        if (selection != null && selection.isObject()) {
            boolean any = false;
            for (String field : new String[] {"schemas", "tables", "excludeTables"}) {
                any |= selection.path(field).size() > 0;
            }
            if (any) {
                section.put("partial", true);
            }
        }
        ObjectNode details = section.putObject("details");
        if (database != null) {
            details.set("database", database);
        }
        if (physical != null) {
            details.set("physical", physical);
        }
    }
}

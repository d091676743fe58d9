package io.arca.app.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.app.catalog.BackupDetail;
import io.arca.core.repo.RepositoryJson;
import io.arca.postgres.manifest.PostgresSection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON mapper for typed results: what {@code --output json} prints and the HTTP API
 * answers. The repository's own settings ({@link RepositoryJson}: ISO-8601 instants, indented,
 * nulls left out), plus the serializers of results that keep an older shape.
 */
public final class AppJson {
    private static final ObjectMapper MAPPER = RepositoryJson.mapper().copy()
            .registerModule(new SimpleModule("arca-app").addSerializer(BackupDetail.class, new DetailSerializer()));

    private AppJson() {
    }

    /** The mapper (thread-safe; do not reconfigure it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** {@code value} as indented JSON text, without a final newline. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value} as UTF-8 JSON bytes. */
    public static byte[] bytes(Object value) {
        return write(value).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A backup in full: its manifest, with the summary's {@code partial}, {@code backupId} and
     * {@code kind} at the top, and the PostgreSQL section's {@code database} and {@code physical}
     * there too (where format 1 had them), plus its recovery windows.
     */
    private static final class DetailSerializer extends JsonSerializer<BackupDetail> {
        @Override
        public void serialize(BackupDetail detail, JsonGenerator gen, SerializerProvider provider) throws IOException {
            ObjectNode json = RepositoryJson.mapper().valueToTree(detail.manifest());
            json.put("partial", detail.manifest().partial());
            json.put("backupId", detail.manifest().backupId());
            json.put("kind", detail.summary().kind());
            json.put("subject", detail.summary().subject());
            PostgresSection.of(detail.manifest()).map(io.arca.core.source.Section::details).ifPresent(details -> {
                for (String field : new String[] {"database", "physical"}) {
                    if (details.hasNonNull(field)) {
                        json.set(field, details.get(field));
                    }
                }
            });
            if (!detail.recoverable().isEmpty()) {
                json.set("recoverable", RepositoryJson.mapper().valueToTree(detail.recoverable()));
            }
            if (!detail.summary().encryptionWarnings().isEmpty()) {
                json.set("encryptionWarnings", RepositoryJson.mapper().valueToTree(detail.summary().encryptionWarnings()));
            }
            gen.writeTree(json);
        }
    }
}

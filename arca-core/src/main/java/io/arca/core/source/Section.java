package io.arca.core.source;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import java.util.List;
import java.util.Objects;

/**
 * One source's part of a backup, as its manifest records it: which source wrote it, what it was
 * taken from, which artifacts hold it, and the source's own details. Core code reads the common
 * fields only; the details are the source's, typed by it ({@link #details(Class)}) and kept as
 * JSON here, so that a manifest holding a section of a source this Arca does not know still lists,
 * verifies (stored sizes and digests), copies and prunes.
 *
 * @param source the source id: {@code postgresql.logical}, {@code kubernetes.objects}, ...
 * @param subject what this part was taken from
 * @param artifacts the names of the manifest's artifacts that hold this part
 * @param partial whether this part holds only some of its subject (table or schema filters): a
 *     backup with a partial section never becomes {@code latest} and counts for no RPO
 * @param details the source's details (a JSON object), null when it records none
 */
public record Section(String source, Subject subject, List<String> artifacts,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean partial, JsonNode details) {

    public Section {
        Objects.requireNonNull(source, "source");
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    }

    /** A section whose details are {@code details} (a record the source defines), mapped to JSON. */
    public static Section of(String source, Subject subject, List<String> artifacts, boolean partial, Object details) {
        return new Section(source, subject, artifacts, partial,
                details == null ? null : RepositoryJson.mapper().valueToTree(details));
    }

    /** The details as the source's type. */
    public <T> T details(Class<T> type) {
        if (details == null || details.isNull()) {
            return null;
        }
        try {
            return RepositoryJson.mapper().treeToValue(details, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("section '" + source + "' has details that cannot be read: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** This section holding {@code names} as its artifacts. */
    public Section withArtifacts(List<String> names) {
        return new Section(source, subject, names, partial, details);
    }

    /** Whether this section was written by the source {@code id}. */
    public boolean isSource(String id) {
        return source.equals(id);
    }
}

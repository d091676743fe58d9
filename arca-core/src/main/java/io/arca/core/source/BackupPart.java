package io.arca.core.source;

import io.arca.core.repo.ArtifactRecord;
import java.util.List;
import java.util.Map;

/**
 * What one source added to a backup: its section and the artifacts it wrote, plus the tool
 * versions and phase timings it wants recorded. The section's artifact list is set from
 * {@code artifacts} when the manifest is built.
 *
 * @param section the source's section
 * @param artifacts the artifacts it wrote, in order
 * @param tools versions of the programs or servers involved ({@code qdrant}: {@code 1.19.0})
 * @param timings named phase durations in milliseconds
 */
public record BackupPart(Section section, List<ArtifactRecord> artifacts, Map<String, String> tools,
        Map<String, Long> timings) {
    public BackupPart {
        artifacts = List.copyOf(artifacts);
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        timings = timings == null ? Map.of() : Map.copyOf(timings);
        section = section.withArtifacts(artifacts.stream().map(ArtifactRecord::name).toList());
    }
}

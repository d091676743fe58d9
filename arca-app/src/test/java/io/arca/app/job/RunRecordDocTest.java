package io.arca.app.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.RepositoryJson;
import io.arca.core.repo.run.RunRecord;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The run record shown in {@code docs/repository-format.md} is one Arca reads, and it writes the same fields. */
class RunRecordDocTest {
    @Test
    void theDocumentedRecordReadsAndWritesBackTheSame() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("arca.docs", "../docs"), "repository-format.md"));
        int section = doc.indexOf("## Run records: `runs/`");
        assertThat(section).as("the run records section").isNotNegative();
        int start = doc.indexOf("```json\n", section) + "```json\n".length();
        String json = doc.substring(start, doc.indexOf("```", start));

        RunRecord r = RepositoryJson.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                RunRecord.class);

        assertThat(r.outcome()).isEqualTo(RunRecord.PARTIAL);
        assertThat(r.details()).containsEntry("failedCopies", "s3://acme-dr/prod");
        assertThat(RepositoryJson.mapper().readTree(RepositoryJson.write(r)))
                .isEqualTo(RepositoryJson.mapper().readTree(json));
    }
}

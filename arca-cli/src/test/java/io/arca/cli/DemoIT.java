package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code arca demo} runs the main job end to end and cleans up after itself. */
class DemoIT {

    @Test
    void demoPassesAndKeepsTheRepositoryWhenAsked(@TempDir Path dir) throws IOException {
        Set<Path> clustersBefore = tempClusters();
        Path repo = dir.resolve("repo");
        ArcaRun r = ArcaRun.of("demo", "--keep-repo", repo.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("[arca] backing up 'shop'", "[arca] verifying the backup",
                "[arca] restoring into new database 'shop_restored'", "demo passed:", "migration flyway 2");
        assertThat(r.out()).doesNotContain("MISMATCH");
        ArcaRun list = ArcaRun.of("list", "--repo", repo.toString());
        assertThat(list.out()).contains("shop");
        Set<Path> left = tempClusters();
        left.removeAll(clustersBefore);
        assertThat(left).as("cluster directories the demo made and left behind").isEmpty();
    }

    /** Cluster directories in the temp folder (other test classes may add and remove theirs meanwhile). */
    private static Set<Path> tempClusters() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("arca-pg-")).collect(Collectors.toCollection(HashSet::new));
        }
    }
}

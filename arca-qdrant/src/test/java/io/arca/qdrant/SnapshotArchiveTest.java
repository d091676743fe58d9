package io.arca.qdrant;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The snapshot check against tar files written by GNU tar in its formats, and against damage. */
class SnapshotArchiveTest {
    @TempDir
    Path dir;

    /** A snapshot-shaped tree with a path over 100 bytes (GNU long names, pax or ustar prefix). */
    private byte[] tar(String format, boolean withConfig) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("version.info"), "1.19.0");
        if (withConfig) {
            Files.writeString(tree.resolve("config.json"), "{\"params\":{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}}");
        }
        Path deep = Files.createDirectories(tree.resolve("0/segments/" + "s".repeat(60) + "/" + "t".repeat(50)));
        byte[] data = new byte[70_000];
        new Random(1).nextBytes(data);
        Files.write(deep.resolve("vectors.dat"), data);
        Files.writeString(tree.resolve("0/shard_config.json"), "{\"type\":\"Local\"}");
        Path out = dir.resolve(format + ".tar");
        Process p = new ProcessBuilder("tar", "--format=" + format, "-cf", out.toString(), "-C", tree.toString(),
                ".").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("tar (install it: apt-get install tar): " + output).isZero();
        return Files.readAllBytes(out);
    }

    private static SnapshotArchive.Result check(byte[] bytes) throws IOException {
        return SnapshotArchive.check(new ByteArrayInputStream(bytes));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "posix", "ustar"})
    void aSnapshotInEveryTarFormatPasses(String format) throws Exception {
        SnapshotArchive.Result r = check(tar(format, true));
        assertThat(r.problems()).isEmpty();
        assertThat(r.shards()).containsExactly("0");
        assertThat(r.version()).isEqualTo("1.19.0");
        assertThat(r.config().path("params").path("vectors").path("size").asInt()).isEqualTo(4);
    }

    @Test
    void damageIsNamed() throws Exception {
        byte[] good = tar("gnu", true);
        assertThat(check(Arrays.copyOf(good, 700)).problems()).singleElement().asString().contains("truncated");
        assertThat(check(Arrays.copyOf(good, 1024 * 20)).problems()).singleElement().asString().contains("truncated");
        byte[] header = good.clone();
        header[10] ^= 1;
        assertThat(check(header).problems()).singleElement().asString().contains("wrong checksum");
        assertThat(check("{\"not\": \"a tar\"}".getBytes(StandardCharsets.UTF_8)).problems()).isNotEmpty();
        byte[] random = new byte[5000];
        new Random(2).nextBytes(random);
        assertThat(check(random).problems()).singleElement().asString().contains("wrong checksum");
        byte[] trailing = Arrays.copyOf(good, good.length + 10);
        trailing[trailing.length - 1] = 7;
        assertThat(check(trailing).problems()).containsExactly("data follows the end of the tar archive");
        assertThat(check(new byte[0]).problems()).isNotEmpty();
    }

    @Test
    void aTarThatIsNoSnapshotIsNamed() throws Exception {
        assertThat(check(tar("gnu", false)).problems())
                .containsExactly("the snapshot holds no config.json: not a qdrant collection snapshot");
    }

    @Test
    void itReadsToTheEndOfTheStream() throws Exception {
        byte[] good = tar("gnu", true);
        ByteArrayInputStream in = new ByteArrayInputStream(good);
        SnapshotArchive.check(in);
        assertThat(in.available()).as("left unread").isZero();
        assertThat(List.of(check(good).members())).allMatch(m -> m >= 6);
    }
}

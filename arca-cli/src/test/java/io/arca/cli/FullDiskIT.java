package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository on a small real file system (a 4 MiB tmpfs) filled to the last byte: a backup
 * fails with a storage error that says the disk is full (never "internal error") and leaves no
 * partial object, and {@code prune} still works, since it is what frees the space.
 */
class FullDiskIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    Path dir;
    Path fs;

    @BeforeEach
    void mountSmallFileSystem() throws Exception {
        fs = Files.createDirectory(dir.resolve("fs"));
        run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", fs.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", fs.toString());
    }

    @Test
    void aBackupOntoAFullDiskFailsClearlyAndPruneStillFreesSpace() throws Exception {
        Path repo = fs.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        String small = PG.createDatabase("small");
        PG.cluster().execute(small, "create table t as select g as id from generate_series(1, 100) g");
        String big = PG.createDatabase("bigger");
        // about 1.3 MB of md5 text: more than the space left below, even compressed
        PG.cluster().execute(big, "create table t as select g as id, md5(g::text) || md5((g * 3)::text) as v"
                + " from generate_series(1, 20000) g");
        for (int i = 0; i < 2; i++) {
            ArcaRun b = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), small));
            assertThat(b.exit()).as(b.toString()).isZero();
        }

        // full but for 256 KiB: the backup's lease fits, its data does not
        fill(fs.resolve("filler-1"));
        deleteSome(fs.resolve("filler-1"), 256 * 1024);
        ArcaRun full = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), big));
        assertThat(full.exit()).as(full.toString()).isEqualTo(13);
        assertThat(full.err()).doesNotContain("internal error").contains("no space left on device").contains("code: ARCA-14");
        assertThat(pending(repo)).as("partial objects").isEmpty();

        // now to the last byte
        fill(fs.resolve("filler-2"));
        assertThat(canWrite(fs.resolve("probe"))).as("the file system is full").isFalse();
        ArcaRun none = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), small));
        assertThat(none.exit()).as(none.toString()).isEqualTo(13);
        assertThat(none.err()).doesNotContain("internal error").contains("no space left on device");

        ArcaRun prune = ArcaRun.of("prune", "--repo", repo.toString(), "--keep-last", "1");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        ArcaRun list = ArcaRun.of("list", "--repo", repo.toString(), "-o", "json");
        JsonNode backups = RepositoryJson.mapper().readTree(list.out());
        assertThat(backups).hasSize(1);
    }

    /** Writes {@code file} until the file system has no space left. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        // the last partial blocks
        try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
            for (int i = 0; i < 1024; i++) {
                out.write(new byte[512]);
                out.flush();
            }
        } catch (IOException e) {
            // full
        }
    }

    private static void deleteSome(Path file, long bytes) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - bytes);
        }
    }

    private static boolean canWrite(Path probe) {
        try {
            Files.write(probe, new byte[4096]);
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> pending(Path repo) throws IOException {
        Path tmp = repo.resolve(LocalFileStorage.TEMP_DIR);
        if (!Files.isDirectory(tmp)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}

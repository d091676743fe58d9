package io.arca.core.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who can read a local repository's objects, and the temporary files of writes that died. */
class LocalFileStorageAccessTest {
    @TempDir
    Path dir;

    @Test
    void aNewRootHoldsObjects0600InFolders0700() throws Exception {
        Path root = dir.resolve("repo");
        put(new LocalFileStorage(root), "backups/2026/12/07/b1/data.dump.zst");
        assertModes(root, "rw-------", "rwx------");
    }

    @Test
    void objectsFollowTheRootsMode() throws Exception {
        Path root = Files.createDirectory(dir.resolve("repo"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        put(new LocalFileStorage(root), "wal/1/00000001/seg");
        assertModes(root, "rw-r-----", "rwxr-x---");
    }

    @Test
    void theModeOptionSetsTheMode() throws Exception {
        Path root = dir.resolve("repo");
        LocalFileStorage store = new LocalFileStorage(StorageUrl.parse("file:" + root + "?mode=0640"));
        put(store, "a/b");
        assertModes(root, "rw-r-----", "rwxr-x---");
        assertThatThrownBy(() -> new LocalFileStorage(StorageUrl.parse("file:" + root + "?mode=0200")))
                .isInstanceOf(UsageException.class).hasMessageContaining("owner must read and write");
        assertThatThrownBy(() -> new LocalFileStorage(StorageUrl.parse("file:" + root + "?mode=rw")))
                .isInstanceOf(UsageException.class).hasMessageContaining("invalid mode 'rw'");
    }

    @Test
    void theFirstWriteRemovesTheTemporaryFilesOfDeadWritersAndOldOnes() throws Exception {
        Path root = dir.resolve("repo");
        Path tmp = Files.createDirectories(root.resolve(LocalFileStorage.TEMP_DIR));
        String host = io.arca.core.TempFiles.hostName();
        Path dead = Files.writeString(tmp.resolve(UUID.randomUUID() + "." + deadPid() + "." + host + ".tmp"), "partial");
        Path live = Files.writeString(tmp.resolve(UUID.randomUUID() + "." + ProcessHandle.current().pid() + "." + host
                + ".tmp"), "being written");
        Path otherHost = Files.writeString(tmp.resolve(UUID.randomUUID() + "." + deadPid() + ".elsewhere.tmp"), "x");
        Path oldLegacy = Files.writeString(tmp.resolve(UUID.randomUUID() + ".tmp"), "x");
        Files.setLastModifiedTime(oldLegacy, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        Path freshLegacy = Files.writeString(tmp.resolve(UUID.randomUUID() + ".tmp"), "x");

        put(new LocalFileStorage(root), "k");
        assertThat(dead).doesNotExist();
        assertThat(oldLegacy).doesNotExist();
        assertThat(live).exists();
        assertThat(otherHost).as("another host's pid means nothing here").exists();
        assertThat(freshLegacy).exists();
    }

    private static void put(LocalFileStorage store, String key) throws Exception {
        try (StorageWriter w = store.openWrite(key, WriteOptions.DEFAULT)) {
            w.write(new byte[] {1, 2, 3});
            w.commit();
        }
    }

    private static void assertModes(Path root, String file, String folder) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)))
                        .as("mode of %s", p).isEqualTo(Files.isDirectory(p) ? folder : file);
            }
        }
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}

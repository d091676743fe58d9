package io.arca.core.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.RetryingStorage;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageProvider;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.Storages;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the contract suite cannot see: files on disk, the temp directory, and filesystem errors. */
class LocalFileStorageTest {

    @TempDir
    Path dir;

    @Test
    void rootThatIsAFileIsReportedAsNotWritable() throws IOException {
        Path root = Files.writeString(dir.resolve("not-a-dir"), "x");
        Storage storage = new LocalFileStorage(root);

        assertAccessDenied(() -> write(storage, "k", "data"), root);
        assertAccessDenied(() -> storage.openWrite("k", WriteOptions.DEFAULT), root);
        assertAccessDenied(() -> storage.stat("k"), root);
        assertAccessDenied(() -> storage.openRead("k"), root);
        assertAccessDenied(() -> storage.list(""), root);
        assertAccessDenied(() -> storage.delete("k"), root);
    }

    @Test
    void rootBelowAFileIsReportedAsNotWritable() throws IOException {
        Path root = Files.writeString(dir.resolve("not-a-dir"), "x").resolve("repo");
        Storage storage = new LocalFileStorage(root);

        assertAccessDenied(() -> write(storage, "k", "data"), root);
        assertAccessDenied(() -> storage.stat("k"), root);
        assertAccessDenied(() -> storage.list("a/"), root);
    }

    @Test
    void openingAMissingRootDoesNotCreateIt() {
        Path root = dir.resolve("not/yet");
        Storage storage = new LocalFileStorageProvider().open(StorageUrl.parse(root.toString()));

        assertThat(storage.list("")).isEmpty();
        assertThat(storage.list("a/b")).isEmpty();
        assertThat(storage.stat("k")).isEmpty();
        assertThatThrownBy(() -> storage.openRead("k")).isInstanceOf(StorageNotFoundException.class)
                .hasMessage("object 'k' not found in '" + root + "'");
        storage.delete("k");
        assertThat(root.getParent()).doesNotExist();

        write(storage, "k", "data");
        assertThat(root.resolve("k")).hasContent("data");
    }

    @Test
    void objectsAreFilesAtTheirKeys() throws IOException {
        LocalFileStorage storage = new LocalFileStorage(dir);

        write(storage, "backups/2026/01/24/manifest.json", "{}");

        assertThat(dir.resolve("backups/2026/01/24/manifest.json")).hasContent("{}");
        assertThat(files(dir)).containsExactly(dir.resolve("backups/2026/01/24/manifest.json"));
    }

    @Test
    void uncommittedWritesStayInTheHiddenTempDirectory() throws IOException {
        LocalFileStorage storage = new LocalFileStorage(dir);
        Path temp = dir.resolve(LocalFileStorage.TEMP_DIR);

        try (StorageWriter writer = storage.openWrite("k", WriteOptions.DEFAULT)) {
            writer.write(new byte[100_000]);
            writer.flush();

            assertThat(files(temp)).hasSize(1);
            assertThat(storage.list("")).isEmpty();
            assertThat(storage.list(".")).isEmpty();
            assertThat(storage.list(LocalFileStorage.TEMP_DIR)).isEmpty();
        }

        assertThat(files(temp)).as("abort removes the temporary file").isEmpty();
        assertThat(storage.stat("k")).isEmpty();
    }

    @Test
    void leftoverTemporariesAreNeverListed() throws IOException {
        LocalFileStorage storage = new LocalFileStorage(dir);
        Files.createDirectories(dir.resolve(LocalFileStorage.TEMP_DIR));
        Files.writeString(dir.resolve(LocalFileStorage.TEMP_DIR).resolve("crashed.tmp"), "partial");
        write(storage, "k", "data");

        assertThat(storage.list("")).extracting(ObjectInfo::key).containsExactly("k");
    }

    @Test
    void commitsLeaveNoTemporaries() throws IOException {
        LocalFileStorage storage = new LocalFileStorage(dir);
        write(storage, "k", "first");
        write(storage, "k", "second");
        write(storage, "new", "x", WriteOptions.ifAbsent());

        assertThatThrownBy(() -> write(storage, "k", "third", WriteOptions.ifAbsent()))
                .isInstanceOf(StorageAlreadyExistsException.class)
                .hasMessage("object 'k' already exists in '" + dir + "'");

        assertThat(files(dir.resolve(LocalFileStorage.TEMP_DIR))).isEmpty();
        assertThat(dir.resolve("k")).hasContent("second");
    }

    @Test
    void deleteRemovesFoldersItEmptied() {
        LocalFileStorage storage = new LocalFileStorage(dir);
        write(storage, "a/b/c", "1");
        write(storage, "a/d", "2");

        storage.delete("a/b/c");
        assertThat(dir.resolve("a/b")).doesNotExist();
        assertThat(dir.resolve("a/d")).exists();

        storage.delete("a/d");
        assertThat(dir.resolve("a")).doesNotExist();
        assertThat(dir).isDirectory();
    }

    @Test
    void aKeyCannotBeBothAnObjectAndAFolder() throws IOException {
        LocalFileStorage storage = new LocalFileStorage(dir);
        write(storage, "a", "object");
        write(storage, "f/x", "inside");

        assertThatThrownBy(() -> write(storage, "a/b", "below an object"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("'a/b'").hasMessageContaining("'a' is an object");
        assertThatThrownBy(() -> write(storage, "f", "over a folder")).isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("'f'");
        assertThatThrownBy(() -> write(storage, "f", "over a folder", WriteOptions.ifAbsent()))
                .isInstanceOf(StorageAccessException.class);

        assertThat(storage.stat("a/b")).isEmpty();
        assertThat(storage.stat("f")).isEmpty();
        assertThatThrownBy(() -> storage.openRead("f")).isInstanceOf(StorageNotFoundException.class);
        storage.delete("f");
        assertThat(dir.resolve("f/x")).hasContent("inside");
        assertThat(files(dir.resolve(LocalFileStorage.TEMP_DIR))).isEmpty();
    }

    @Test
    void theTempDirectoryNameIsReserved() {
        LocalFileStorage storage = new LocalFileStorage(dir);

        assertThatThrownBy(() -> storage.stat(LocalFileStorage.TEMP_DIR + "/x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.openWrite(LocalFileStorage.TEMP_DIR, WriteOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(storage.stat(LocalFileStorage.TEMP_DIR + "x")).isEmpty();
    }

    @Test
    void aSymbolicLinkRootIsFollowed() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        LocalFileStorage storage = new LocalFileStorage(link);

        write(storage, "x/y", "data");

        assertThat(storage.list("")).extracting(ObjectInfo::key).containsExactly("x/y");
        assertThat(storage.list("x/")).extracting(ObjectInfo::key).containsExactly("x/y");
        assertThat(real.resolve("x/y")).hasContent("data");
    }

    @Test
    void declaresEveryFeature() {
        assertThat(new LocalFileStorage(dir).features()).containsExactlyInAnyOrder(StorageFeature.values());
    }

    @Test
    void aClosedStoreRefusesWork() {
        LocalFileStorage storage = new LocalFileStorage(dir);
        storage.close();

        assertThatThrownBy(() -> storage.stat("k")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.list("")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.openWrite("k", WriteOptions.DEFAULT)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fileUrlsOpenThroughTheRegisteredProvider() throws IOException {
        assertThat(ServiceLoader.load(StorageProvider.class)).anySatisfy(provider -> {
            assertThat(provider).isInstanceOf(LocalFileStorageProvider.class);
            assertThat(provider.scheme()).isEqualTo("file");
        });

        try (Storage storage = Storages.open(StorageUrl.parse("file://" + dir))) {
            assertThat(storage).isInstanceOf(RetryingStorage.class);
            assertThat(storage.url()).hasToString("file:" + dir);
            write(storage, "k", "via url");
            try (InputStream in = storage.openRead("k")) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("via url");
            }
        }
    }

    @Test
    void writesAndDeletesRacingInOneFolderNeverFail() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            // each delete empties the folder and removes it while other writers are publishing into it
            List<Future<?>> futures = Stream.of("a", "b", "c", "d").<Future<?>>map(name -> pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    write(storage, "race/x/y/" + name, "v" + i);
                    assertThat(storage.stat("race/x/y/" + name)).isPresent();
                    storage.delete("race/x/y/" + name);
                }
                return null;
            })).toList();
            for (Future<?> future : futures) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(storage.list("")).isEmpty();
    }

    private static void assertAccessDenied(ThrowingCallable call, Path root) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StorageAccessException.class, e -> {
            assertThat(e.getMessage()).contains("'" + root + "'").doesNotContain("\n");
            assertThat(e.getMessage().charAt(0)).isLowerCase();
            assertThat(e.hint()).contains("writable");
        });
    }

    private static ObjectInfo write(Storage storage, String key, String data) {
        return write(storage, key, data, WriteOptions.DEFAULT);
    }

    private static ObjectInfo write(Storage storage, String key, String data, WriteOptions options) {
        try (StorageWriter writer = storage.openWrite(key, options)) {
            writer.write(data.getBytes(StandardCharsets.UTF_8));
            return writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every regular file below {@code dir}, temporaries included. */
    private static List<Path> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}

package io.arca.core.repo.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mechanics of {@link ObjectIndex} on the local store, with small limits. */
class ObjectIndexTest {
    /** A segment after 2 files read directly, a merge beyond 3 segments. */
    private static final ObjectIndex.Limits LIMITS = new ObjectIndex.Limits(2, 3, 4);
    private static final ObjectIndex.Parser<String> TEXT = (key, content) ->
            new ObjectIndex.Parsed<>(new String(content, StandardCharsets.UTF_8), true);

    @TempDir
    Path dir;
    private CountingStorage storage;
    private ObjectIndex index;

    @BeforeEach
    void open() {
        storage = new CountingStorage(new LocalFileStorage(dir));
        index = new ObjectIndex(storage, "files", Clock.systemUTC(), LIMITS);
    }

    @Test
    void filesReadOnceAreTakenFromTheSegmentAfterwards() {
        Map<String, String> files = files("a/", 5);
        assertThat(read("a/")).isEqualTo(files);
        assertThat(segments()).hasSize(1);
        storage.reads.clear();
        assertThat(read("a/")).isEqualTo(files);
        assertThat(storage.fileReads()).isZero();
    }

    @Test
    void aFileRewrittenWithTheSameSizeButAnotherTimeIsReadFromTheFile() throws IOException {
        files("a/", 5);
        read("a/");
        put("a/2", "CONTENT OF A/2");
        Path file = dir.resolve("a/2");
        Files.setLastModifiedTime(file, FileTime.from(Files.getLastModifiedTime(file).toInstant().plusSeconds(5)));
        storage.reads.clear();
        assertThat(read("a/")).containsEntry("a/2", "CONTENT OF A/2");
        assertThat(storage.reads.keySet()).filteredOn(k -> !k.startsWith(ObjectIndex.PREFIX)).containsExactly("a/2");
    }

    @Test
    void anEntryWhoseCopyIsOfNoUseIsReadFromTheFile() {
        Map<String, String> files = files("a/", 3);
        ObjectInfo one = storage.stat("a/1").orElseThrow();
        ObjectInfo two = storage.stat("a/2").orElseThrow();
        // the listed size and time, but a copy the parser refuses (a damaged or forged index), and a copy
        // shorter than its size
        segment(1, Map.of(one, "forged content", two, "short"));
        ObjectIndex.Parser<String> refusesForged = (key, content) -> new String(content, StandardCharsets.UTF_8)
                .startsWith("forged") ? new ObjectIndex.Parsed<>(null, false) : TEXT.parse(key, content);
        storage.reads.clear();
        assertThat(index.read(storage.list("a/"), List.of("a/"), refusesForged)).isEqualTo(files);
        assertThat(storage.reads.keySet()).filteredOn(k -> !k.startsWith(ObjectIndex.PREFIX))
                .containsExactlyInAnyOrder("a/0", "a/1", "a/2");
    }

    @Test
    void aSegmentOfANewerFormatIsIgnoredAndNeverDeleted() {
        Map<String, String> files = files("a/", 3);
        ObjectInfo info = storage.stat("a/1").orElseThrow();
        String newer = segment(2, Map.of(info, "frommore"));
        for (int round = 0; round < 5; round++) {
            // new files each round: new segments, then merges
            files.putAll(files("b" + round + "/", 2));
            assertThat(read("")).isEqualTo(files);
        }
        assertThat(segments()).contains(newer).hasSizeLessThanOrEqualTo(LIMITS.maxSegments() + 1);
    }

    @Test
    void entriesOutsideTheScopeOfAReadSurviveAMerge() {
        files("a/", 3);
        files("b/", 3);
        read("");
        // many new segments of a/ alone force merges that must keep b/'s entries
        for (int round = 0; round < 4; round++) {
            files("a/x" + round, 2);
            read("a/");
        }
        storage.reads.clear();
        assertThat(read("b/")).hasSize(3);
        assertThat(storage.fileReads()).isZero();
    }

    @Test
    void aFileGoneSinceTheListingIsLeftOut() {
        files("a/", 3);
        List<ObjectInfo> listed = storage.list("a/");
        storage.delete("a/1");
        assertThat(index.read(listed, List.of("a/"), TEXT)).containsOnlyKeys("a/0", "a/2");
    }

    @Test
    void aStoreThatRefusesWritesIsReadWithoutAnIndex() {
        Map<String, String> files = files("a/", 5);
        storage.readOnly = true;
        assertThat(read("a/")).isEqualTo(files);
        assertThat(read("a/")).isEqualTo(files);
        assertThat(segments()).isEmpty();
    }

    @Test
    void contentTheParserRefusesIsNeitherReturnedNorIndexed() {
        files("a/", 4);
        ObjectIndex.Parser<String> noOdd = (key, content) -> key.endsWith("1") || key.endsWith("3")
                ? new ObjectIndex.Parsed<>(null, false) : TEXT.parse(key, content);
        assertThat(index.read(storage.list("a/"), List.of("a/"), noOdd)).containsOnlyKeys("a/0", "a/2");
        storage.reads.clear();
        index.read(storage.list("a/"), List.of("a/"), noOdd);
        assertThat(storage.reads.keySet()).filteredOn(k -> !k.startsWith(ObjectIndex.PREFIX))
                .containsExactlyInAnyOrder("a/1", "a/3");
    }

    private Map<String, String> read(String prefix) {
        return index.read(storage.list(prefix).stream().filter(i -> !i.key().startsWith(ObjectIndex.PREFIX)).toList(),
                List.of(prefix), TEXT);
    }

    private Map<String, String> files(String prefix, int n) {
        Map<String, String> files = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            put(prefix + i, "content of " + prefix + i);
            files.put(prefix + i, "content of " + prefix + i);
        }
        return files;
    }

    private void put(String key, String content) {
        try (StorageWriter w = storage.openWrite(key, WriteOptions.DEFAULT)) {
            w.write(content.getBytes(StandardCharsets.UTF_8));
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> segments() {
        return storage.list(index.segmentPrefix()).stream().map(ObjectInfo::key).toList();
    }

    /** Writes a segment by hand: entries for {@code objects}, each holding the given content. */
    private String segment(int formatVersion, Map<ObjectInfo, String> objects) {
        String key = index.segmentPrefix() + "20260101T000000Z-0000000" + formatVersion + ".json.gz";
        StringBuilder json = new StringBuilder("{\"formatVersion\":" + formatVersion + ",\"entries\":[");
        String sep = "";
        for (Map.Entry<ObjectInfo, String> e : objects.entrySet()) {
            json.append(sep).append("{\"key\":\"").append(e.getKey().key()).append("\",\"size\":").append(e.getKey().size())
                    .append(",\"lastModified\":\"").append(e.getKey().lastModified()).append("\",\"content\":\"")
                    .append(e.getValue())
                    .append("\"}");
            sep = ",";
        }
        json.append("]}");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(json.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (StorageWriter w = storage.openWrite(key, WriteOptions.DEFAULT)) {
            w.write(bytes.toByteArray());
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return key;
    }

    /** A store that counts reads and can refuse writes. */
    private static final class CountingStorage implements Storage {
        private final Storage delegate;
        final Map<String, Integer> reads = new ConcurrentHashMap<>();
        volatile boolean readOnly;

        CountingStorage(Storage delegate) {
            this.delegate = delegate;
        }

        long fileReads() {
            return reads.keySet().stream().filter(k -> !k.startsWith(ObjectIndex.PREFIX)).count();
        }

        @Override
        public StorageUrl url() {
            return delegate.url();
        }

        @Override
        public Set<StorageFeature> features() {
            return delegate.features();
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return delegate.stat(key);
        }

        @Override
        public InputStream openRead(String key, ReadRange range) {
            reads.merge(key, 1, Integer::sum);
            return delegate.openRead(key, range);
        }

        @Override
        public StorageWriter openWrite(String key, WriteOptions options) {
            if (readOnly) {
                throw new StorageAccessException("access denied writing '" + key + "'", null);
            }
            return delegate.openWrite(key, options);
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return delegate.list(prefix);
        }

        @Override
        public void delete(String key) {
            if (readOnly) {
                throw new StorageAccessException("access denied deleting '" + key + "'", null);
            }
            delegate.delete(key);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}

package io.arca.core.pipeline;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A store in a map, for unit tests of the pipeline. Records the ranges read and the writes
 * aborted, and can make reads fail part way like a dropped connection.
 */
final class MemoryStorage implements Storage {
    private final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    private final List<ReadRange> reads = new CopyOnWriteArrayList<>();
    private final List<String> aborted = new CopyOnWriteArrayList<>();
    private volatile long failReadsAfter = -1;

    @Override
    public StorageUrl url() {
        return new StorageUrl("memory", "test", "", "");
    }

    @Override
    public Set<StorageFeature> features() {
        return Set.of(StorageFeature.RANGED_READ, StorageFeature.CONSISTENT_LIST);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        byte[] bytes = objects.get(Storage.checkKey(key));
        return bytes == null ? Optional.empty() : Optional.of(new ObjectInfo(key, bytes.length, Instant.EPOCH));
    }

    @Override
    public InputStream openRead(String key, ReadRange range) {
        byte[] bytes = objects.get(Storage.checkKey(key));
        if (bytes == null) {
            throw new StorageNotFoundException("no object '" + key + "'", null);
        }
        reads.add(range);
        int from = (int) Math.min(range.offset(), bytes.length);
        int to = range.length() == ReadRange.TO_END
                ? bytes.length
                : (int) Math.min(bytes.length, from + range.length());
        InputStream in = new ByteArrayInputStream(bytes, from, to - from);
        return failReadsAfter < 0 ? in : new FailingInputStream(in, failReadsAfter);
    }

    @Override
    public StorageWriter openWrite(String key, WriteOptions options) {
        Storage.checkKey(key);
        return new StorageWriter() {
            private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            private boolean done;

            @Override
            public void write(int b) {
                check();
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                check();
                buffer.write(b, off, len);
            }

            @Override
            public ObjectInfo commit() {
                check();
                done = true;
                objects.put(key, buffer.toByteArray());
                return new ObjectInfo(key, buffer.size(), Instant.EPOCH);
            }

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    aborted.add(key);
                }
            }

            private void check() {
                if (done) {
                    throw new IllegalStateException("writer for '" + key + "' is done");
                }
            }
        };
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        List<ObjectInfo> result = new ArrayList<>();
        objects.tailMap(prefix).forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                result.add(new ObjectInfo(k, v.length, Instant.EPOCH));
            }
        });
        return result;
    }

    @Override
    public void delete(String key) {
        objects.remove(Storage.checkKey(key));
    }

    @Override
    public void close() {
    }

    byte[] bytes(String key) {
        byte[] bytes = objects.get(key);
        if (bytes == null) {
            throw new AssertionError("no object '" + key + "' in storage");
        }
        return bytes.clone();
    }

    void put(String key, byte[] bytes) {
        objects.put(key, bytes.clone());
    }

    List<ReadRange> reads() {
        return List.copyOf(reads);
    }

    List<String> aborted() {
        return List.copyOf(aborted);
    }

    /** Reads of objects opened from now on fail with an IOException after {@code n} bytes. */
    void failReadsAfter(long n) {
        failReadsAfter = n;
    }

    private static final class FailingInputStream extends InputStream {
        private final InputStream in;
        private long left;

        FailingInputStream(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                throw new IOException("connection reset by peer");
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}

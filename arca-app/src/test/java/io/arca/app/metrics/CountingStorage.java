package io.arca.app.metrics;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** A store that records the keys read and the prefixes listed through it, for tests of what a refresh reads. */
final class CountingStorage implements Storage {
    private final Storage delegate;
    final List<String> reads = new CopyOnWriteArrayList<>();
    final List<String> lists = new CopyOnWriteArrayList<>();

    CountingStorage(Storage delegate) {
        this.delegate = delegate;
    }

    /** The keys read that are run records, and forgets every read. */
    List<String> takeRunRecordReads() {
        List<String> records = reads.stream().filter(RunTally::isRecord).toList();
        reads.clear();
        return records;
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
        reads.add(key);
        return delegate.openRead(key, range);
    }

    @Override
    public StorageWriter openWrite(String key, WriteOptions options) {
        return delegate.openWrite(key, options);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        lists.add(prefix);
        return delegate.list(prefix);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    @Override
    public void close() {
        delegate.close();
    }
}

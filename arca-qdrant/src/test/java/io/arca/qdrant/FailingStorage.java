package io.arca.qdrant;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A store whose writes of keys containing {@code fragment} fail with an IOException after {@code bytes} bytes (a full disk). */
final class FailingStorage implements Storage {
    private final Storage delegate;
    private final String fragment;
    private final long bytes;

    FailingStorage(Storage delegate, String fragment, long bytes) {
        this.delegate = delegate;
        this.fragment = fragment;
        this.bytes = bytes;
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
        return delegate.openRead(key, range);
    }

    @Override
    public StorageWriter openWrite(String key, WriteOptions options) {
        StorageWriter w = delegate.openWrite(key, options);
        if (!key.contains(fragment)) {
            return w;
        }
        return new StorageWriter() {
            private long written;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written + len > bytes) {
                    throw new IOException("No space left on device (injected by the test)");
                }
                written += len;
                w.write(b, off, len);
            }

            @Override
            public ObjectInfo commit() {
                return w.commit();
            }

            @Override
            public void close() {
                w.close();
            }
        };
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
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

package io.arca.app.metrics;

import io.arca.core.repo.catalog.ObjectIndex;
import io.arca.core.storage.FolderListing;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A store whose listings come from one listing of the whole store taken at the start of a refresh:
 * the catalog, the run log, the drill records and each WAL archive list their prefixes, and an
 * object store answers each listing page by page, so one listing serves them all. Reads go to the
 * store. A refresh sees the repository as it was listed; an object deleted since (a prune running
 * at the same time) fails that refresh, as it would between any listing and read, unless it was
 * read through the catalog index, which leaves it out. It writes nothing but the catalog index
 * ({@code catalog/}), which readers keep up to date. Closing it leaves the store open.
 */
final class ListedStorage implements Storage {
    private final Storage store;
    private final List<ObjectInfo> objects;

    /** @param objects every object of {@code store}, sorted by key ({@code store.list("")}) */
    ListedStorage(Storage store, List<ObjectInfo> objects) {
        this.store = store;
        this.objects = List.copyOf(objects);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        List<ObjectInfo> out = new ArrayList<>();
        for (ObjectInfo o : objects) {
            if (o.key().startsWith(prefix)) {
                out.add(o);
            }
        }
        return out;
    }

    @Override
    public StorageUrl url() {
        return store.url();
    }

    @Override
    public Set<StorageFeature> features() {
        return store.features();
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return store.stat(key);
    }

    @Override
    public InputStream openRead(String key, ReadRange range) {
        return store.openRead(key, range);
    }

    @Override
    public StorageWriter openWrite(String key, WriteOptions options) {
        // the catalog index is the one thing readers write (see ObjectIndex): it makes the next refresh cheap
        if (key.startsWith(ObjectIndex.PREFIX)) {
            return store.openWrite(key, options);
        }
        throw new UnsupportedOperationException("metrics only read the repository: no write of '" + key + "'");
    }

    @Override
    public void delete(String key) {
        if (key.startsWith(ObjectIndex.PREFIX)) {
            store.delete(key);
            return;
        }
        throw new UnsupportedOperationException("metrics only read the repository: no delete of '" + key + "'");
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        // its listings are the one listing taken: listing by folder would list the store again
        return type == FolderListing.class ? Optional.empty() : store.capability(type);
    }

    @Override
    public void close() {
        // the reader owns the store and keeps it open between refreshes
    }
}

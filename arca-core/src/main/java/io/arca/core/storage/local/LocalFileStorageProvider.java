package io.arca.core.storage.local;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageProvider;
import io.arca.core.storage.StorageUrl;

/** Serves {@code file:} URLs and plain paths with a {@link LocalFileStorage}. */
public final class LocalFileStorageProvider implements StorageProvider {

    @Override
    public String scheme() {
        return "file";
    }

    /** Opens the store without touching the filesystem: a missing root is created by the first write. */
    @Override
    public Storage open(StorageUrl url) {
        if (!url.scheme().equals("file")) {
            throw new StorageAccessException("cannot open '" + url + "' as a local directory", null);
        }
        return new LocalFileStorage(url);
    }
}

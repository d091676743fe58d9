package io.arca.gcs.testing;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageProvider;
import io.arca.core.storage.StorageUrl;

/**
 * Serves {@code gs://} URLs from {@link LocalGcs} instead of Google Cloud Storage, for tests that
 * run Arca (such as the CLI) in-process. Its priority beats the real provider once a test
 * registers it in its own {@code META-INF/services/io.arca.core.storage.StorageProvider}.
 */
public final class LocalGcsStorageProvider implements StorageProvider {

    @Override
    public String scheme() {
        return "gs";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Storage open(StorageUrl url) {
        return LocalGcs.open(url);
    }
}

package io.arca.gcs;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageProvider;
import io.arca.core.storage.StorageUrl;

/**
 * Serves {@code gs://bucket/prefix} URLs with a {@link GcsStorage} over its own client, configured
 * by the URL's options ({@link GcsOptions}) and the environment: application default credentials,
 * and {@value GcsOptions#EMULATOR_HOST_ENV}.
 */
public final class GcsStorageProvider implements StorageProvider {

    @Override
    public String scheme() {
        return "gs";
    }

    /**
     * Checks the URL and builds a client without calling the service: a missing bucket or missing
     * permissions show at the first operation. Looking up application default credentials may ask
     * the metadata server when none are configured otherwise.
     */
    @Override
    public Storage open(StorageUrl url) {
        GcsOptions options = GcsOptions.parse(url, System.getenv());
        return new GcsStorage(GcsClients.create(options), url, options, true);
    }
}

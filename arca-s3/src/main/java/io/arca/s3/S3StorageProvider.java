package io.arca.s3;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageProvider;
import io.arca.core.storage.StorageUrl;

/** Serves {@code s3://bucket/prefix} URLs with an {@link S3Storage}; see {@link S3Options} for the options. */
public final class S3StorageProvider implements StorageProvider {

    @Override
    public String scheme() {
        return "s3";
    }

    /** Opens the store without a request: a missing bucket or bad credentials show on first use. */
    @Override
    public Storage open(StorageUrl url) {
        return new S3Storage(url);
    }
}

package io.arca.gcs;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.gcs.testing.LocalGcs;
import io.arca.testkit.storage.StorageContractSuite;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The storage contract for {@link GcsStorage} over {@link LocalGcs}, with a fresh bucket per test.
 * Small list pages (100) make the 1 200-object listing take twelve requests, and 1 MiB chunks make the
 * multipart-sized object a resumable upload of 21 chunks.
 */
class GcsStorageContractTest extends StorageContractSuite {

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @Override
    protected Storage createStorage() {
        StorageUrl url = StorageUrl.parse("gs://contract-" + BUCKETS.incrementAndGet() + "/repo/prefix?chunk-size=1MiB");
        return LocalGcs.open(url, LocalGcs.optionsOf(url).withListPageSize(100));
    }
}

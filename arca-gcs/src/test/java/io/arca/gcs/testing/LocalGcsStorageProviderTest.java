package io.arca.gcs.testing;

import static io.arca.testkit.storage.StorageFixtures.read;
import static io.arca.testkit.storage.StorageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.storage.BlobId;
import io.arca.core.storage.BucketLifecycle;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import org.junit.jupiter.api.Test;

/** With the provider registered (as in this module's test resources), gs:// URLs open the fake. */
class LocalGcsStorageProviderTest {

    @Test
    void storagesOpenServesGsUrlsFromLocalGcs() {
        try (Storage opened = Storages.open(StorageUrl.parse("gs://b/p"));
                Storage again = Storages.open(StorageUrl.parse("gs://b/p"))) {
            write(opened, "from-cli", new byte[] {4, 2});

            assertThat(LocalGcs.client().get(BlobId.of("b", "p/from-cli")).getSize()).isEqualTo(2);
            assertThat(read(again, "from-cli")).containsExactly(4, 2);
            assertThat(opened.capability(BucketLifecycle.class)).isPresent();
        }
    }

    @Test
    void outranksTheRealProvider() {
        assertThat(new LocalGcsStorageProvider().priority()).isGreaterThan(new io.arca.gcs.GcsStorageProvider().priority());
        assertThat(new LocalGcsStorageProvider().scheme()).isEqualTo("gs");
    }
}

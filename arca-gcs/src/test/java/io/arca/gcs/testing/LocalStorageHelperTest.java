package io.arca.gcs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.gax.paging.Page;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * What LocalStorageHelper's fake does differently from GCS, the reasons for {@link LocalGcsRpc}.
 * When an upgrade makes one of these fail, the fake got better and LocalGcsRpc may shrink.
 */
class LocalStorageHelperTest {

    private final Storage fake = LocalStorageHelper.customOptions(false).getService();

    @Test
    void ignoresIfGenerationMatchOnCreate() {
        fake.create(BlobInfo.newBuilder("b", "k").build(), new byte[] {1});

        fake.create(BlobInfo.newBuilder("b", "k").build(), new byte[] {2}, Storage.BlobTargetOption.doesNotExist());

        assertThat(fake.readAllBytes(BlobId.of("b", "k"))).containsExactly(2);
    }

    @Test
    void listsOnlyTheFirstPage() {
        for (int i = 0; i < 5; i++) {
            fake.create(BlobInfo.newBuilder("b", "p/" + i).build(), new byte[] {1});
        }

        Page<Blob> page = fake.list("b", Storage.BlobListOption.pageSize(2));

        assertThat(page.getValues()).hasSize(2);
        assertThat(page.getNextPageToken()).isNull();
    }

    @Test
    void showsAnUploadBeforeItIsFinalised() throws IOException {
        WriteChannel upload = fake.writer(BlobInfo.newBuilder("b", "pending").build());
        upload.write(ByteBuffer.wrap(new byte[10]));

        assertThat(fake.get(BlobId.of("b", "pending"))).isNotNull();
        assertThat(fake.list("b").getValues()).extracting(Blob::getName).contains("pending");
    }
}

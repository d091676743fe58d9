package io.arca.s3;

import static io.arca.testkit.storage.StorageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.storage.FolderListing;
import io.arca.core.storage.RetryPolicy;
import io.arca.core.storage.RetryingStorage;
import io.arca.core.storage.Storage;
import io.arca.testkit.s3.S3Server;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link FolderListing} of the S3 store: one level of the key hierarchy, below the store's prefix only. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class S3FolderListingIT {
    private static final String BUCKET = "folders";
    private static S3Server server;

    @BeforeAll
    static void startServer() {
        server = S3Server.start().createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void foldersAreTheNextLevelBelowAPrefixWithoutTheKeysAtIt() {
        try (Storage other = S3TestSupport.open(server, BUCKET, "other", "");
                Storage storage = S3TestSupport.open(server, BUCKET, "repo/arca", "")) {
            for (String key : new String[] {"backups/2026/01/a", "backups/2026/02/b/c", "backups/2025/12/d",
                    "backups/loose", "runs/x", "top"}) {
                write(storage, key, key.getBytes(StandardCharsets.UTF_8));
            }
            write(other, "backups/1999/01/z", new byte[] {1});
            FolderListing folders = storage.capability(FolderListing.class).orElseThrow();
            assertThat(folders.folders("")).containsExactly("backups/", "runs/");
            assertThat(folders.folders("backups/")).containsExactly("backups/2025/", "backups/2026/");
            assertThat(folders.folders("backups/2026/")).containsExactly("backups/2026/01/", "backups/2026/02/");
            assertThat(folders.folders("backups/2026/01/")).isEmpty();
            assertThat(folders.folders("nothing/")).isEmpty();
            assertThatThrownBy(() -> folders.folders("backups")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aStoreOpenedAsCommandsOpenItOffersItThroughItsRetryWrapper() {
        try (Storage storage = new RetryingStorage(S3TestSupport.open(server, BUCKET, "wrapped", ""),
                RetryPolicy.DEFAULT)) {
            write(storage, "a/b/c", new byte[] {1});
            assertThat(storage.capability(FolderListing.class)).get()
                    .satisfies(f -> assertThat(f.folders("a/")).containsExactly("a/b/"));
        }
    }
}

package io.arca.s3;

import static io.arca.testkit.storage.StorageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.storage.FolderListing;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.RetryPolicy;
import io.arca.core.storage.RetryingStorage;
import io.arca.core.storage.Storage;
import io.arca.testkit.s3.S3Server;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
            assertThat(folders.level("").folders()).containsExactly("backups/", "runs/");
            assertThat(folders.level("").objects()).extracting(ObjectInfo::key).containsExactly("top");
            assertThat(folders.level("backups/").folders()).containsExactly("backups/2025/", "backups/2026/");
            assertThat(folders.level("backups/").objects()).extracting(ObjectInfo::key).containsExactly("backups/loose");
            assertThat(folders.level("backups/2026/").folders()).containsExactly("backups/2026/01/", "backups/2026/02/");
            assertThat(folders.level("backups/2026/01/").folders()).isEmpty();
            assertThat(folders.level("backups/2026/01/").objects()).singleElement()
                    .satisfies(o -> assertThat(o.size()).isEqualTo("backups/2026/01/a".length()));
            assertThat(folders.level("nothing/")).isEqualTo(new FolderListing.Level(List.of(), List.of()));
            assertThatThrownBy(() -> folders.level("backups")).isInstanceOf(IllegalArgumentException.class);
            // every depth gives what one listing gives
            for (int depth = 0; depth < 5; depth++) {
                assertThat(FolderListing.listAll(storage, "", depth, 4)).isEqualTo(storage.list(""));
                assertThat(FolderListing.listAll(storage, "backups/", depth, 4)).isEqualTo(storage.list("backups/"));
            }
        }
    }

    @Test
    void aStoreOpenedAsCommandsOpenItOffersItThroughItsRetryWrapper() {
        try (Storage storage = new RetryingStorage(S3TestSupport.open(server, BUCKET, "wrapped", ""),
                RetryPolicy.DEFAULT)) {
            write(storage, "a/b/c", new byte[] {1});
            assertThat(storage.capability(FolderListing.class)).get()
                    .satisfies(f -> assertThat(f.level("a/").folders()).containsExactly("a/b/"));
        }
    }
}

package io.arca.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorageUrlTest {

    @Test
    void fileWithOneSlash() {
        StorageUrl url = StorageUrl.parse("file:/var/backups/arca");

        assertThat(url).isEqualTo(new StorageUrl("file", "", "/var/backups/arca", ""));
        assertThat(url.filePath()).isEqualTo(Path.of("/var/backups/arca"));
        assertThat(url).hasToString("file:/var/backups/arca");
    }

    @Test
    void fileWithThreeSlashesIsAUri() {
        assertThat(StorageUrl.parse("file:///var/backups/arca").path()).isEqualTo("/var/backups/arca");
        assertThat(StorageUrl.parse("file:///var/my%20backups").path()).isEqualTo("/var/my backups");
        assertThat(StorageUrl.parse("FILE://localhost/var/x").path()).isEqualTo("/var/x");
    }

    @Test
    void plainPathsAreAbsoluteAndNormalised() {
        Path cwd = Path.of("").toAbsolutePath();

        assertThat(StorageUrl.parse("backups/./arca").path()).isEqualTo(cwd.resolve("backups/arca").toString());
        assertThat(StorageUrl.parse("file:backups").path()).isEqualTo(cwd.resolve("backups").toString());
        assertThat(StorageUrl.parse("  /srv/a/../b  ").path()).isEqualTo("/srv/b");
        assertThat(StorageUrl.parse("/srv/a:b").scheme()).as("a colon after a slash is no scheme").isEqualTo("file");
    }

    @Test
    void bucketUrls() {
        assertThat(StorageUrl.parse("s3://b/p/")).isEqualTo(new StorageUrl("s3", "b", "p", ""));
        assertThat(StorageUrl.parse("S3://bucket//deep/prefix//?region=eu-west-1"))
                .isEqualTo(new StorageUrl("s3", "bucket", "deep/prefix", "region=eu-west-1"));
        assertThat(StorageUrl.parse("gs://bucket")).isEqualTo(new StorageUrl("gs", "bucket", "", ""));
        assertThat(StorageUrl.parse("azure://container/a/b")).hasToString("azure://container/a/b");
        assertThat(StorageUrl.parse("s3://b/p?x=1")).hasToString("s3://b/p?x=1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "file:", "file://", "file://otherhost/x", "s3:bucket", "s3:///prefix",
            "s3://bucket/a b"})
    void invalidUrlsAreRejected(String text) {
        assertThatThrownBy(() -> StorageUrl.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.isBlank() ? "repository URL is empty" : "'" + text + "'");
    }

    @Test
    void filePathOfABucketUrlIsAnError() {
        assertThatThrownBy(() -> StorageUrl.parse("s3://b/p").filePath()).isInstanceOf(IllegalStateException.class);
    }
}

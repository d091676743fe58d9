package io.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageUrl;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

class S3OptionsTest {

    private static S3Options parse(String url) {
        return S3Options.parse(StorageUrl.parse(url));
    }

    @Test
    void defaultsForAws() {
        S3Options options = parse("s3://backups/prod/db1");

        assertThat(options.bucket()).isEqualTo("backups");
        assertThat(options.prefix()).isEqualTo("prod/db1");
        assertThat(options.keyPrefix()).isEqualTo("prod/db1/");
        assertThat(options.objectKey("arca.json")).isEqualTo("prod/db1/arca.json");
        assertThat(options.region()).isNull();
        assertThat(options.endpoint()).isNull();
        assertThat(options.pathStyle()).isFalse();
        assertThat(options.sse()).isNull();
        assertThat(options.storageClass()).isNull();
        assertThat(options.partSize()).isEqualTo(8L * 1024 * 1024);
        assertThat(options.uploadConcurrency()).isEqualTo(4);
    }

    @Test
    void bucketRootHasNoPrefix() {
        S3Options options = parse("s3://backups");

        assertThat(options.prefix()).isEmpty();
        assertThat(options.keyPrefix()).isEmpty();
        assertThat(options.objectKey("arca.json")).isEqualTo("arca.json");
    }

    @Test
    void customEndpointDefaultsToPathStyle() {
        S3Options options = parse("s3://b1b/p?endpoint=http://127.0.0.1:9000");

        assertThat(options.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(options.pathStyle()).isTrue();
        assertThat(parse("s3://b1b/p?endpoint=https://s3.example.com&path-style=false").pathStyle()).isFalse();
    }

    @Test
    void everyOption() {
        S3Options options = parse("s3://b1b/p?region=eu-west-1&endpoint=https%3A%2F%2Fminio.local%3A9000"
                + "&path-style=true&sse=aws:kms&sse-kms-key-id=alias/backups&storage-class=standard_ia"
                + "&part-size=16MiB&upload-concurrency=8");

        assertThat(options.region()).isEqualTo("eu-west-1");
        assertThat(options.endpoint()).isEqualTo(URI.create("https://minio.local:9000"));
        assertThat(options.pathStyle()).isTrue();
        assertThat(options.sse()).isEqualTo(ServerSideEncryption.AWS_KMS);
        assertThat(options.sseKmsKeyId()).isEqualTo("alias/backups");
        assertThat(options.storageClass()).isEqualTo(StorageClass.STANDARD_IA);
        assertThat(options.partSize()).isEqualTo(16L * 1024 * 1024);
        assertThat(options.uploadConcurrency()).isEqualTo(8);
    }

    @Test
    void prefixIsPercentDecoded() {
        assertThat(parse("s3://b1b/my%20backups/db%2B1").prefix()).isEqualTo("my backups/db+1");
    }

    @ParameterizedTest
    @CsvSource({"5MiB, 5242880", "8m, 8388608", "16MB, 16000000", "1GiB, 1073741824", "6291456, 6291456",
            "512 MiB, 536870912"})
    void partSizes(String text, long bytes) {
        assertThat(parse("s3://b1b/p?part-size=" + text.replace(" ", "%20")).partSize()).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4MiB", "5MB", "6TiB", "2GiB", "lots", "-8MiB", "99999999999999999999"})
    void invalidPartSizesAreRefused(String text) {
        StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                () -> parse("s3://b1b/p?part-size=" + text));

        assertThat(e).hasMessageContaining("option 'part-size'").hasMessageContaining("'s3://b1b/p?part-size=");
        assertThat(e.hint()).contains("part-size=16MiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65", "many", ""})
    void invalidConcurrencyIsRefused(String text) {
        if (text.isEmpty()) {
            assertThat(parse("s3://b1b/p?upload-concurrency=").uploadConcurrency()).isEqualTo(4);
            return;
        }
        assertThatThrownBy(() -> parse("s3://b1b/p?upload-concurrency=" + text))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("option 'upload-concurrency' must be a number from 1 to 64");
    }

    @Test
    void unknownOptionNamesTheKnownOnes() {
        StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                () -> parse("s3://b1b/p?regoin=eu-west-1"));

        assertThat(e).hasMessageContaining("unknown option 'regoin'");
        assertThat(e.hint()).contains("region", "endpoint", "path-style", "sse", "sse-kms-key-id", "storage-class",
                "part-size", "upload-concurrency");
    }

    @Test
    void archiveStorageClassesAreRefusedWithTheLifecycleAlternative() {
        StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                () -> parse("s3://b1b/p?storage-class=DEEP_ARCHIVE"));

        assertThat(e).hasMessageContaining("'DEEP_ARCHIVE' would make every object unreadable");
        assertThat(e.hint()).contains("lifecycle rule");
        assertThatThrownBy(() -> parse("s3://b1b/p?storage-class=COLDLINE"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("unknown storage class 'COLDLINE'");
    }

    @Test
    void encryptionOptionsAreChecked() {
        assertThat(parse("s3://b1b/p?sse=aes256").sse()).isEqualTo(ServerSideEncryption.AES256);
        assertThatThrownBy(() -> parse("s3://b1b/p?sse=rot13"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("unknown server-side encryption 'rot13'");
        assertThatThrownBy(() -> parse("s3://b1b/p?sse-kms-key-id=alias/x"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("'sse-kms-key-id' needs sse=aws:kms");
    }

    @Test
    void endpointMustBeAnHttpUrl() {
        assertThatThrownBy(() -> parse("s3://b1b/p?endpoint=ftp://host"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("option 'endpoint' must be an http or https URL");
        assertThatThrownBy(() -> parse("s3://b1b/p?path-style=maybe"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("option 'path-style' must be true or false");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutRepeatingThem() {
        StorageAccessException inAuthority = catchThrowableOfType(StorageAccessException.class,
                () -> parse("s3://AKIAEXAMPLE:s3cr3t@b1b/p"));
        StorageAccessException inEndpoint = catchThrowableOfType(StorageAccessException.class,
                () -> parse("s3://b1b/p?endpoint=http://AKIAEXAMPLE:s3cr3t@minio:9000"));

        assertThat(inAuthority).hasMessageContaining("bucket 'b1b' contains credentials")
                .hasMessageNotContaining("s3cr3t");
        assertThat(inAuthority.hint()).contains("AWS_ACCESS_KEY_ID");
        assertThat(inEndpoint).hasMessageContaining("contains credentials").hasMessageNotContaining("s3cr3t");
    }

    @Test
    void otherSchemesAreNotS3() {
        assertThatThrownBy(() -> parse("gs://b1b/p")).isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("cannot open 'gs://b1b/p' as an S3 bucket");
    }
}

package io.arca.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.StorageClass;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageUrl;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GcsOptionsTest {

    private static GcsOptions parse(String url) {
        return GcsOptions.parse(StorageUrl.parse(url), Map.of());
    }

    @Test
    void defaults() {
        GcsOptions options = parse("gs://bucket/prefix");

        assertThat(options.project()).isNull();
        assertThat(options.endpoint()).isNull();
        assertThat(options.storageClass()).isNull();
        assertThat(options.chunkSize()).isEqualTo(16 * 1024 * 1024);
        assertThat(options.listPageSize()).isEqualTo(1_000);
        assertThat(options.anonymous()).isFalse();
    }

    @Test
    void everyOption() {
        GcsOptions options = parse("gs://bucket/prefix?project=my-project&endpoint=https://gcs.example.com:8443/"
                + "&storage-class=archive&chunk-size=8MiB");

        assertThat(options).isEqualTo(new GcsOptions("my-project", "https://gcs.example.com:8443", false,
                StorageClass.ARCHIVE, 8 * 1024 * 1024, 1_000));
    }

    @ParameterizedTest
    @CsvSource({"262144, 262144", "256KiB, 262144", "256kib, 262144", "1 MiB, 1048576", "16MiB, 16777216",
            "256MiB, 268435456"})
    void chunkSizes(String text, int bytes) {
        assertThat(parse("gs://bucket/p?chunk-size=" + text.replace(" ", "%20")).chunkSize()).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "100", "300KiB", "1GiB", "512MiB", "-1", "8MB", "lots", ""})
    void invalidChunkSizes(String text) {
        assertThatThrownBy(() -> parse("gs://bucket/p?chunk-size=" + text))
                .isInstanceOf(StorageAccessException.class)
                .hasMessage("invalid chunk-size '" + text + "' in repository URL 'gs://bucket/p?chunk-size=" + text + "'")
                .satisfies(e -> assertThat(((StorageAccessException) e).hint()).contains("256KiB"));
    }

    @Test
    void invalidStorageClass() {
        assertThatThrownBy(() -> parse("gs://bucket/p?storage-class=GLACIER"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("invalid storage-class 'GLACIER'")
                .satisfies(e -> assertThat(((StorageAccessException) e).hint())
                        .isEqualTo("use one of STANDARD, NEARLINE, COLDLINE, ARCHIVE"));
    }

    @Test
    void unknownAndRepeatedOptions() {
        assertThatThrownBy(() -> parse("gs://bucket/p?region=eu")).isInstanceOf(StorageAccessException.class)
                .hasMessage("unknown option 'region' in repository URL 'gs://bucket/p?region=eu'");
        assertThatThrownBy(() -> parse("gs://bucket/p?project=a&project=b")).isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("option 'project' given twice");
    }

    @Test
    void plainHttpEndpointsGetNoCredentials() {
        GcsOptions options = parse("gs://bucket/p?endpoint=http://127.0.0.1:4443");

        assertThat(options.endpoint()).isEqualTo("http://127.0.0.1:4443");
        assertThat(options.anonymous()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:4443", "ftp://host", "https://host/path", "https://host?x=1", "https://"})
    void invalidEndpoints(String endpoint) {
        assertThatThrownBy(() -> parse("gs://bucket/p?endpoint=" + endpoint))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageStartingWith("invalid endpoint '" + endpoint + "'");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> parse("gs://bucket/p?endpoint=https://user:s3cret@host"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessage("the endpoint option of the repository URL for bucket 'bucket' contains user information")
                .satisfies(e -> assertThat(((StorageAccessException) e).hint())
                        .contains("GOOGLE_APPLICATION_CREDENTIALS").doesNotContain("s3cret"));
        assertThatThrownBy(() -> parse("gs://key:s3cret@bucket/p"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessage("the repository URL for bucket 'bucket' contains user information");
    }

    @Test
    void emulatorHostFromTheEnvironment() {
        StorageUrl url = StorageUrl.parse("gs://bucket/p");

        GcsOptions emulated = GcsOptions.parse(url, Map.of(GcsOptions.EMULATOR_HOST_ENV, "localhost:9023"));
        GcsOptions withScheme = GcsOptions.parse(url, Map.of(GcsOptions.EMULATOR_HOST_ENV, "http://emu:9000/"));
        GcsOptions overridden = GcsOptions.parse(StorageUrl.parse("gs://bucket/p?endpoint=https://real.example.com"),
                Map.of(GcsOptions.EMULATOR_HOST_ENV, "localhost:9023"));

        assertThat(emulated.endpoint()).isEqualTo("http://localhost:9023");
        assertThat(emulated.anonymous()).isTrue();
        assertThat(withScheme.endpoint()).isEqualTo("http://emu:9000");
        assertThat(overridden.endpoint()).isEqualTo("https://real.example.com");
        assertThat(overridden.anonymous()).isFalse();
    }

    @Test
    void prefixesAreDecodedAndChecked() {
        assertThat(GcsStorage.prefixOf(StorageUrl.parse("gs://bucket/a%20b/c"))).isEqualTo("a b/c");
        assertThat(GcsStorage.prefixOf(StorageUrl.parse("gs://bucket"))).isEmpty();
        assertThatThrownBy(() -> parse("gs://bucket/a//b")).isInstanceOf(StorageAccessException.class)
                .hasMessage("invalid object prefix 'a//b' in repository URL 'gs://bucket/a//b'");
    }
}

package io.arca.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.azure.storage.blob.models.AccessTier;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading the options of {@code azure://} URLs. */
class AzureOptionsTest {

    @Test
    void absentOptionsKeepTheDefaults() {
        AzureOptions options = AzureOptions.parse(StorageUrl.parse("azure://backups/prod"));

        assertThat(options).isEqualTo(AzureOptions.DEFAULT);
        assertThat(options.blockSize()).isEqualTo(8 * 1024 * 1024);
        assertThat(options.uploadConcurrency()).isEqualTo(4);
        assertThat(options.accessTier()).isNull();
    }

    @Test
    void everyOptionIsRead() {
        AzureOptions options = AzureOptions.parse(StorageUrl.parse("azure://backups/prod?account=acct1"
                + "&endpoint=http%3A%2F%2F127.0.0.1%3A10000%2Fdevstoreaccount1%2F&access-tier=cool&block-size=16MiB"
                + "&upload-concurrency=8"));

        assertThat(options).isEqualTo(new AzureOptions("acct1", "http://127.0.0.1:10000/devstoreaccount1",
                AccessTier.COOL, 16 * 1024 * 1024, 8));
    }

    @ParameterizedTest
    @CsvSource({"Hot, Hot", "COOL, Cool", "cold, Cold"})
    void accessTiersAreCaseInsensitive(String given, String tier) {
        AzureOptions options = AzureOptions.parse(StorageUrl.parse("azure://c/p?access-tier=" + given));

        assertThat(options.accessTier()).isEqualTo(AccessTier.fromString(tier));
    }

    @Test
    void theArchiveTierIsRefusedBecauseItWouldArchiveTheRepositoryFilesToo() {
        assertThatThrownBy(() -> AzureOptions.parse(StorageUrl.parse("azure://c/p?access-tier=Archive")))
                .isInstanceOf(StorageAccessException.class)
                .satisfies(e -> assertThat(((StorageAccessException) e).hint()).contains("lifecycle management policy"));
    }

    @ParameterizedTest
    @CsvSource({"1048576, 1048576", "64k, 65536", "64KiB, 65536", "8M, 8388608", "8mib, 8388608", "1G, 1073741824",
            "x, -1", "8 TiB, -1", "-5, -1"})
    void sizesTakeBinarySuffixes(String text, long bytes) {
        assertThat(AzureOptions.size(text)).isEqualTo(bytes);
    }

    @Test
    void unknownOptionListsTheKnownOnes() {
        StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                () -> AzureOptions.parse(StorageUrl.parse("azure://c/p?tier=Cool")));

        assertThat(e).hasMessage("unknown option 'tier' in repository URL 'azure://c/p?tier=Cool'");
        assertThat(e.hint()).contains("access-tier", "account", "block-size", "endpoint", "upload-concurrency");
    }

    @ParameterizedTest
    @ValueSource(strings = {"access-tier=Premium", "block-size=1k", "block-size=1G", "block-size=lots",
            "upload-concurrency=0", "upload-concurrency=65", "upload-concurrency=four", "account=Not_Valid",
            "endpoint=ftp%3A%2F%2Fhost", "endpoint=not%20a%20url"})
    void invalidValuesAreAccessErrorsNamingOptionAndValue(String query) {
        String option = query.substring(0, query.indexOf('='));

        StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                () -> AzureOptions.parse(StorageUrl.parse("azure://c/p?" + query)));

        assertThat(e).hasMessageStartingWith("invalid " + option + " '");
        assertThat(e.hint()).isNotBlank();
    }

    @Test
    void endpointCarryingATokenIsRefusedWithoutRepeatingIt() {
        StorageAccessException e = catchThrowableOfType(StorageAccessException.class, () -> AzureOptions.parse(
                StorageUrl.parse("azure://c/p?endpoint=https%3A%2F%2Fa.blob.core.windows.net%3Fsv%3D1%26sig%3DSECRET")));

        assertThat(e.getMessage()).doesNotContain("SECRET");
        assertThat(e.hint()).contains("AZURE_STORAGE_SAS_TOKEN");
    }
}
